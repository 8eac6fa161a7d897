SELECT *,
    min(CASE WHEN event = :p0 THEN us END) OVER (PARTITION BY customer_id ORDER BY us, seq ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_conv,
    max(CASE WHEN event = :p0 THEN us END) OVER (
        PARTITION BY customer_id ORDER BY us, seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS prev_conv,
    min(CASE WHEN NOT event IN (:p1, :p2, :p3, :p4, :p5) THEN us END) OVER (PARTITION BY customer_id ORDER BY us, seq ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
        AS next_action,
    min(CASE WHEN rating IS NOT NULL THEN us END) OVER (
        PARTITION BY customer_id ORDER BY us, seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rated_at,
    min_by(rating, CASE WHEN rating IS NOT NULL THEN struct(us, seq) END) OVER (
        PARTITION BY customer_id ORDER BY us, seq ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rating_next
FROM (SELECT *, unix_micros(ts) AS us FROM tp_rows) t

-- report

WITH per_customer AS (
    SELECT customer_id, tp,
        bool_or(next_conv - us <= :p6) AS converted,
        max(us) AS last_touch,
        -- an open touch: no conversion in the window before it (or at it)
        max(us) FILTER (WHERE prev_conv IS NULL OR us - prev_conv > :p6) AS last_open,
        max_by(next_action, struct(us, seq)) FILTER (WHERE prev_conv IS NULL OR us - prev_conv > :p6) AS next_action,
        max_by(next_conv, struct(us, seq)) FILTER (WHERE prev_conv IS NULL OR us - prev_conv > :p6) AS next_conv,
        max_by(rating_next, struct(us, seq)) AS rating,
        max_by(rated_at, struct(us, seq)) AS rated_at,
        count(*) FILTER (WHERE event IN (:p8, :p9, :p10)) AS contacts
    FROM tp_marked GROUP BY customer_id, tp
), repeats AS (
    SELECT customer_id, tp, bool_or(gap <= :p7) AS repeated FROM (
        SELECT customer_id, tp,
            us - lag(us) OVER (PARTITION BY customer_id, tp ORDER BY us) AS gap
        FROM tp_marked WHERE event IN (:p8, :p9, :p10)
    ) g GROUP BY customer_id, tp
), ends AS (
    SELECT max(us) AS data_end FROM tp_marked
), judged AS (
    SELECT p.*,
        p.last_open IS NOT NULL AND e.data_end - p.last_open >= :p6 AS observed,
        coalesce(p.next_action - p.last_open <= :p6, FALSE)
            OR coalesce(p.next_conv - p.last_open <= :p6, FALSE) AS moved_on
    FROM per_customer p CROSS JOIN ends e
), channels AS (  -- the most frequent channel and stage of a touchpoint (ties: smallest)
    SELECT tp, channel FROM (
        SELECT tp, channel, row_number() OVER (
            PARTITION BY tp ORDER BY count(*) DESC, channel) AS k
        FROM tp_marked GROUP BY tp, channel
    ) c WHERE k = 1
), stages AS (
    SELECT tp, stage FROM (
        SELECT tp, stage, row_number() OVER (
            PARTITION BY tp ORDER BY count(*) DESC, stage) AS k
        FROM tp_marked WHERE stage IS NOT NULL GROUP BY tp, stage
    ) s WHERE k = 1
), counts AS (
    SELECT m.tp, count(*) AS events, bool_and(m.event IN (:p11, :p12, :p13, :p14, :p15)) AS outbound
    FROM tp_marked m GROUP BY m.tp
)
SELECT j.tp, ch.channel, st.stage, c.outbound, c.events, count(*) AS customers,
    count(*) FILTER (WHERE j.converted) AS converted,
    count(*) FILTER (WHERE j.observed AND NOT j.moved_on) AS dropped,
    count(*) FILTER (WHERE j.observed) AS observed,
    count(*) FILTER (WHERE j.contacts > 0) AS contact_customers,
    count(*) FILTER (WHERE r.repeated) AS repeat_contacts,
    avg(j.rating) FILTER (WHERE j.rated_at - j.last_touch <= :p6) AS rating_after,
    count(j.rating) FILTER (WHERE j.rated_at - j.last_touch <= :p6) AS rated
FROM judged j
JOIN counts c ON c.tp = j.tp
JOIN channels ch ON ch.tp = j.tp
LEFT JOIN stages st ON st.tp = j.tp
LEFT JOIN repeats r ON r.customer_id = j.customer_id AND r.tp = j.tp
GROUP BY j.tp, ch.channel, st.stage, c.outbound, c.events
HAVING count(*) >= :p16
ORDER BY customers DESC, j.tp
-- parameters
{
 "p0": "purchase",
 "p1": "ad_impression",
 "p10": "chat",
 "p11": "ad_impression",
 "p12": "message_sent",
 "p13": "email_sent",
 "p14": "order_delivered",
 "p15": "delivery_late",
 "p16": 1,
 "p2": "message_sent",
 "p3": "email_sent",
 "p4": "order_delivered",
 "p5": "delivery_late",
 "p6": 604800000000,
 "p7": 604800000000,
 "p8": "support_call",
 "p9": "complaint"
}
