SELECT e.ts, (CAST(CASE e.event WHEN :p3 THEN 2 WHEN :p4 THEN 4 ELSE 0 END AS INT) | (CAST((e.event = :p0 AND coalesce(get_json_object(e.properties, :p1) = :p2, FALSE)) AS INT) << 0)) AS m, ((e.event = :p5)) AS x, e.channel AS by_value FROM events e WHERE m <> 0 OR x
-- parameters
{
 "p0": "product_view",
 "p1": "$.category",
 "p2": "bags",
 "p3": "add_to_cart",
 "p4": "purchase",
 "p5": "refund"
}
