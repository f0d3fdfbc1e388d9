package service

import "time"

// VietnamTime is Asia/Ho_Chi_Minh. Vietnam has kept UTC+7 without daylight saving since 1975, so
// a fixed zone is exact and does not depend on the machine's tzdata.
var VietnamTime = time.FixedZone("ICT", 7*60*60)
