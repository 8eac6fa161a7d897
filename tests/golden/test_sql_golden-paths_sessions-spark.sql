WITH marked AS (
    SELECT customer_id, pos, ts, channel, node,
        CASE WHEN lag(ts) OVER w IS NULL OR (unix_micros(ts) / 1e6) - (unix_micros(lag(ts) OVER w) / 1e6) > :p0 THEN 1 ELSE 0 END
            AS new
    FROM path_rows WINDOW w AS (PARTITION BY customer_id ORDER BY pos)
), numbered AS (
    SELECT *, sum(new) OVER (PARTITION BY customer_id ORDER BY pos
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid FROM marked
)
SELECT customer_id, sid, count(*) AS events, min_by(channel, pos) AS channel,
       min_by(node, pos) AS entry, (unix_micros(max(ts)) / 1e6) - (unix_micros(min(ts)) / 1e6)
           AS seconds
FROM numbered GROUP BY customer_id, sid
-- parameters
{
 "p0": 1800.0
}
