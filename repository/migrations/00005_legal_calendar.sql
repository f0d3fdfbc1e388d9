-- +goose Up
-- The legal calendar (lịch nghỉ lễ, Tết) the deadline engine counts working days by: public
-- holidays (Điều 112 BLLĐ 2019), the Tết span and compensatory days off the government announces
-- each year, and the Saturdays it declares working days to make up for a swapped day off. The
-- yearly notices come out a few months ahead and are sometimes amended, faster than a release, so
-- the calendar is data a system administrator edits through the API, not code. The application
-- seeds it from the file embedded in the binary (workflow/calendar/vn-holidays.csv), inserting
-- only missing dates, so an edit here is never overwritten by an upgrade.
CREATE TABLE legal_calendar (
    date       date        PRIMARY KEY, -- the Vietnamese calendar date
    name_vi    text        NOT NULL,
    name_en    text        NOT NULL DEFAULT '',
    kind       text        NOT NULL CHECK (kind IN ('statutory', 'tet_span', 'compensatory', 'swap_workday')),
    source     text        NOT NULL DEFAULT '', -- the notice or article the entry comes from
    confirmed  boolean     NOT NULL,            -- false until the year's schedule is announced
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid        REFERENCES users (id), -- NULL for rows seeded from the shipped file
    -- A withdrawn entry (an announced day off cancelled, a provisional day that did not happen) is
    -- kept, so that the next sync of the shipped file does not bring it back.
    withdrawn  boolean     NOT NULL DEFAULT false,
    -- The table refuses what workflow.ValidateCalendarDay refuses, so that an edit made in SQL
    -- cannot break the calendar behind the application's back.
    CONSTRAINT legal_calendar_date_range CHECK (date BETWEEN '2000-01-01' AND '2100-12-31'),
    CONSTRAINT legal_calendar_text_length CHECK (
        char_length(name_vi) BETWEEN 2 AND 300 AND char_length(name_en) <= 300 AND char_length(source) <= 500),
    -- A make-up working day replaces a weekly rest day, which is a Saturday for the civil service.
    CONSTRAINT legal_calendar_swap_saturday CHECK (kind <> 'swap_workday' OR extract(isodow FROM date) = 6)
);

-- Only a system administrator maintains the national calendar; everyone logged in reads it.
INSERT INTO role_permissions (role, action, scope, condition) VALUES
    ('system_admin', 'calendar.manage', 'subtree', 'any');

-- +goose Down
DELETE FROM role_permissions WHERE action = 'calendar.manage';
DROP TABLE legal_calendar;
