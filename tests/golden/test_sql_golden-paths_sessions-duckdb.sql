WITH marked AS (
    SELECT customer_id, pos, ts, channel, node,
        CASE WHEN lag(ts) OVER w IS NULL OR epoch(ts) - epoch(lag(ts) OVER w) > $p0 THEN 1 ELSE 0 END
            AS new
    FROM path_rows WINDOW w AS (PARTITION BY customer_id ORDER BY pos)
), numbered AS (
    SELECT *, sum(new) OVER (PARTITION BY customer_id ORDER BY pos
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid FROM marked
)
SELECT customer_id, sid, count(*) AS events, arg_min_null(channel, pos) AS channel,
       arg_min_null(node, pos) AS entry, epoch(max(ts)) - epoch(min(ts))
           AS seconds
FROM numbered GROUP BY customer_id, sid
-- parameters
{
 "p0": 1800.0
}
