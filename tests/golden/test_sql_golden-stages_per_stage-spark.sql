WITH current AS (
    SELECT customer_id,
           max_by(stage, struct(ts, seq)) FILTER (WHERE stage IS NOT NULL)
               AS stage,
           max(ts) AS last_at
    FROM st_rows GROUP BY customer_id
), moves AS (
    SELECT a.stage, a.customer_id, (unix_micros(b.first_at) / 1e6) - (unix_micros(a.first_at) / 1e6) AS seconds
    FROM st_customers a
    JOIN st_customers b ON b.customer_id = a.customer_id AND b.stage = a.stage + 1
        AND struct(b.first_at, b.first_seq) > struct(a.first_at, a.first_seq)
), ends AS (SELECT max(ts) AS data_end FROM st_rows
), now_at AS (
    SELECT c.stage, count(*) AS now,
           count(*) FILTER (WHERE (unix_micros(e.data_end) / 1e6) - (unix_micros(c.last_at) / 1e6)
                            > :p0) AS stalled
    FROM current c CROSS JOIN ends e GROUP BY c.stage
), moved AS (
    SELECT stage, count(*) AS moved, median(seconds) AS med,
           percentile(seconds, 0.9) AS p90
    FROM moves GROUP BY stage
), reached AS (
    SELECT stage, count(*) AS reached FROM st_customers GROUP BY stage
)
SELECT r.stage, r.reached, coalesce(n.now, 0), coalesce(m.moved, 0), m.med, m.p90,
       coalesce(n.stalled, 0)
FROM reached r LEFT JOIN now_at n ON n.stage = r.stage LEFT JOIN moved m ON m.stage = r.stage
ORDER BY r.stage
-- parameters
{
 "p0": 2592000.0
}
