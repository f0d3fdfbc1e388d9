-- +goose Up
-- The date a request for an extension (đề nghị gia hạn) reached the procuracy, recorded with the
-- extension it asked for: the law wants it at least 10 days before the period or the detention
-- order runs out (Điều 172(2), 173(2) BLTTHS; 5 days for a report, Điều 147(2)), and the
-- transition table refuses an extension recorded with a request that came too late.
ALTER TABLE case_decisions ADD COLUMN requested_on date;
ALTER TABLE case_decisions ADD CONSTRAINT case_decisions_request_order CHECK (requested_on IS NULL OR requested_on <= issued_on);

-- +goose Down
ALTER TABLE case_decisions DROP CONSTRAINT case_decisions_request_order;
ALTER TABLE case_decisions DROP COLUMN requested_on;
