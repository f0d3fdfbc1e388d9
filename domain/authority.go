package domain

import "time"

// Power is what an authority (thẩm quyền) allows: recording a step the procuracy decides itself
// (an extension it grants) or approving (phê chuẩn) a decision another body issued.
type Power string

// Powers.
const (
	PowerRecord  Power = "record"
	PowerApprove Power = "approve"
)

// Valid reports whether the power is known.
func (p Power) Valid() bool { return p == PowerRecord || p == PowerApprove }

// Authority says which procuracy levels hold a power over a step: for example the third
// extension of the investigation of a particularly serious crime is granted by the Supreme
// Procuracy (Điều 172(5) BLTTHS). The 2025 reform abolished the district and high levels and the
// new wording of these articles was not seen, so the levels are data an administrator edits, not
// code. Rung narrows a row to the n-th extension of a ladder (0: every one) and Class to a
// severity class ("": every class); the most specific row that matches applies. Empty Levels
// means the procuracy in charge of the case.
type Authority struct {
	ID        int64
	Step      Step
	Power     Power
	Rung      int
	Class     SeverityClass
	Levels    []UnitLevel
	Article   string
	Note      string
	Confirmed bool // false until checked against the text in force
	UpdatedAt time.Time
	UpdatedBy string
}
