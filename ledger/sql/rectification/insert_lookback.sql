INSERT INTO lookbacks (task_id, lookback_date, result, note, closed_date, previous_deadline, new_deadline,
                       recorded_by, created_at)
VALUES ($task_id, $lookback_date, $result, $note, $closed_date, $previous_deadline, $new_deadline,
        $recorded_by, $created_at)
RETURNING lookback_id
