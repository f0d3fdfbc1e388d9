-- +goose Up
-- Notifications of subscriptions (theo dõi): the deadline monitor's sweep evaluates each
-- subscription and tells its owner, in the app, of the cases that newly match it. What was
-- already seen is kept here, one row per subscription and case, so each case is told at most once
-- per subscription, however many sweeps or monitors run (the row and the notification are written
-- in one transaction; the primary key lets only one writer record a case).
CREATE TABLE subscription_matches (
    subscription_id uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    case_id         uuid        NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    matched_at      timestamptz NOT NULL,
    -- false for the cases the subscription matched when it was first evaluated (its baseline):
    -- they are recorded without a notification.
    notified        boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (subscription_id, case_id)
);

-- checked_at: when a sweep last evaluated the subscription, so that a sweep bounded to a batch takes
-- the least recently checked first (never checked first). baseline_done: the first evaluation
-- recorded every case matching then; until it has, matches are recorded without notifications.
ALTER TABLE subscriptions ADD COLUMN checked_at timestamptz;
ALTER TABLE subscriptions ADD COLUMN baseline_done boolean NOT NULL DEFAULT false;
CREATE INDEX subscriptions_checked_idx ON subscriptions (checked_at NULLS FIRST, id);

-- +goose Down
DROP INDEX subscriptions_checked_idx;
ALTER TABLE subscriptions DROP COLUMN baseline_done;
ALTER TABLE subscriptions DROP COLUMN checked_at;
DROP TABLE subscription_matches;
