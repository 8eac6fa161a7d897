WITH acts AS (  -- the customer's own actions: messages sent to them do not count
    SELECT * FROM rt_rows WHERE NOT event IN (:p0, :p1, :p2, :p3, :p4)
), days AS (
    SELECT DISTINCT customer_id, CAST(local AS DATE) AS d FROM acts
), gaps AS (
    SELECT customer_id,
        datediff(CAST(d AS DATE), CAST(lag(d) OVER (PARTITION BY customer_id ORDER BY d) AS DATE)) AS gap
    FROM days
), prior AS (
    SELECT coalesce(avg(gap), 30) AS gap FROM gaps
), own AS (  -- own mean gap, shrunk toward everyone's as if 2 gaps of that length were seen
    SELECT customer_id,
        (coalesce(sum(gap), 0) + 2 * (SELECT gap FROM prior)) / (count(gap) + 2) AS mean_gap
    FROM gaps GROUP BY 1
), last AS (
    SELECT customer_id, max(local) AS last_active, max_by(tp, struct(ts, seq)) AS last_tp
    FROM acts GROUP BY 1
), bad_review AS (
    SELECT r.customer_id, true AS bad FROM rt_rows r JOIN last l ON l.customer_id = r.customer_id
    WHERE r.rating <= 2 AND datediff(CAST(l.last_active AS DATE), CAST(r.local AS DATE)) <= 30 GROUP BY 1
), support AS (
    SELECT customer_id, bool_or(gap_s <= 7 * 86400) AS unresolved FROM (
        SELECT customer_id, (unix_micros(ts) / 1e6) - (unix_micros(lag(ts) OVER (PARTITION BY customer_id ORDER BY ts)) / 1e6) AS gap_s
        FROM rt_rows WHERE event IN (:p5)
    ) s GROUP BY 1
), scored AS (
    SELECT l.customer_id, l.last_active, l.last_tp,
        datediff(CAST((SELECT CAST(max(local) AS DATE) FROM rt_rows) AS DATE), CAST(CAST(l.last_active AS DATE) AS DATE)) AS days_since,
        greatest(o.mean_gap, 1) AS mean_gap_days,
        coalesce(b.bad, false) AS bad_review, coalesce(s.unresolved, false) AS unresolved
    FROM last l LEFT JOIN own o ON o.customer_id = l.customer_id
    LEFT JOIN bad_review b ON b.customer_id = l.customer_id
    LEFT JOIN support s ON s.customer_id = l.customer_id
)
SELECT customer_id, last_active, days_since, mean_gap_days,
    1 - exp(-days_since / mean_gap_days) AS risk,
    1 - exp(-days_since / mean_gap_days) >= :p6 AS at_risk,
    CASE WHEN bad_review THEN 'bad_review'
         WHEN unresolved THEN 'unresolved_support'
         ELSE 'last_touchpoint:' || coalesce(last_tp, '?') END AS reason
FROM scored
-- parameters
{
 "p0": "ad_impression",
 "p1": "message_sent",
 "p2": "email_sent",
 "p3": "order_delivered",
 "p4": "delivery_late",
 "p5": "support_call",
 "p6": 0.95
}
