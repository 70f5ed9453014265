-- 督办编号 are DB + year + a running number within the year: the last number of each year.
SELECT CAST(substr(code, 3, 4) AS INTEGER) AS year, max(CAST(substr(code, 7) AS BIGINT)) AS last_seq
FROM tasks
WHERE regexp_full_match(code, 'DB[0-9]{9,}')
GROUP BY 1
