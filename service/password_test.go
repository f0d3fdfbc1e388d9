package service

import (
	"strings"
	"testing"
)

func TestPasswordHasher(t *testing.T) {
	h := PasswordHasher{Params: Argon2Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1}}
	hash, err := h.Hash("đúng-mật-khẩu-2026")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", hash)
	}
	again, _ := h.Hash("đúng-mật-khẩu-2026")
	if again == hash {
		t.Fatal("two hashes of one password must differ (random salt)")
	}
	if ok, err := h.Verify(hash, "đúng-mật-khẩu-2026"); !ok || err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if ok, _ := h.Verify(hash, "sai-mật-khẩu-2026"); ok {
		t.Fatal("wrong password accepted")
	}
	// Parameters travel with the hash: a verifier with other defaults still checks old hashes.
	if ok, _ := (PasswordHasher{Params: DefaultArgon2}).Verify(hash, "đúng-mật-khẩu-2026"); !ok {
		t.Fatal("hash must be verifiable whatever the current parameters")
	}
	for _, bad := range []string{"", "$2b$10$abc", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5"} {
		if ok, err := h.Verify(bad, "x"); ok || err == nil {
			t.Fatalf("malformed hash %q: ok=%v err=%v", bad, ok, err)
		}
	}
}
