-- Every milestone with its status as of $as_of, for the CLI's `status --tasks`.
SELECT *
FROM milestone_status($as_of, $soon)
ORDER BY task_id, seq
