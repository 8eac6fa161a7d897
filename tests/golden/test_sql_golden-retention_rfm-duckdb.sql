WITH buyers AS (
    SELECT customer_id,
        date_diff('day', max(ts) FILTER (WHERE event = $p0), (SELECT max(ts) FROM rt_rows)) AS recency_days,
        count(*) FILTER (WHERE event = $p0) AS frequency, coalesce(sum(revenue), 0) AS monetary
    FROM rt_rows WHERE event = $p0 OR event = $p1 GROUP BY 1
    HAVING count(*) FILTER (WHERE event = $p0) > 0
), scored AS (
    SELECT *, 6 - ntile(5) OVER (ORDER BY recency_days, customer_id) AS r,
        ntile(5) OVER (ORDER BY frequency, customer_id) AS f,
        ntile(5) OVER (ORDER BY monetary, customer_id) AS m
    FROM buyers
)
SELECT *, CASE
    WHEN r BETWEEN 5 AND 5 AND round((f + m) / 2) BETWEEN 4 AND 5 THEN 'champions'
    WHEN r BETWEEN 3 AND 5 AND round((f + m) / 2) BETWEEN 4 AND 5 THEN 'loyal'
    WHEN r BETWEEN 4 AND 5 AND round((f + m) / 2) BETWEEN 2 AND 3 THEN 'potential_loyalist'
    WHEN r BETWEEN 5 AND 5 AND round((f + m) / 2) BETWEEN 1 AND 1 THEN 'new'
    WHEN r BETWEEN 4 AND 4 AND round((f + m) / 2) BETWEEN 1 AND 1 THEN 'promising'
    WHEN r BETWEEN 3 AND 3 AND round((f + m) / 2) BETWEEN 2 AND 3 THEN 'needs_attention'
    WHEN r BETWEEN 3 AND 3 AND round((f + m) / 2) BETWEEN 1 AND 1 THEN 'about_to_sleep'
    WHEN r BETWEEN 1 AND 2 AND round((f + m) / 2) BETWEEN 5 AND 5 THEN 'cannot_lose'
    WHEN r BETWEEN 1 AND 2 AND round((f + m) / 2) BETWEEN 3 AND 4 THEN 'at_risk'
    WHEN r BETWEEN 1 AND 2 AND round((f + m) / 2) BETWEEN 1 AND 2 THEN 'hibernating'
    ELSE 'others' END AS segment
FROM scored
-- parameters
{
 "p0": "purchase",
 "p1": "refund"
}
