-- +goose Up
-- When a decision of another body (the investigating agency, the court) reached the procuracy:
-- the law says in how many hours or days such decisions go to it (Điều 117(4), 148, 149, 154(2),
-- 158(1), 179(3), 229(3), 232(4), 262(1), 280(3), 286 BLTTHS), and the deadline engine times them
-- by this receipt when it is recorded.
ALTER TABLE case_decisions ADD COLUMN received_at timestamptz;
ALTER TABLE case_decisions ADD CONSTRAINT case_decisions_receipt_order
    CHECK (received_at IS NULL OR (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= issued_on);

-- +goose Down
ALTER TABLE case_decisions DROP CONSTRAINT case_decisions_receipt_order;
ALTER TABLE case_decisions DROP COLUMN received_at;
