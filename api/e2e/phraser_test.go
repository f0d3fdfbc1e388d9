package e2e_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kiemsat/repository"
)

// modelServer stands in for an OpenAI-compatible model server inside the organisation: it answers
// every chat completion with reply(answer it was given), and records what it was sent.
type modelServer struct {
	mu    sync.Mutex
	reply func(answer string) string
	seen  []string
	auth  []string
}

func (m *modelServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Model    string `json:"model"`
		Messages []struct {
			Role, Content string
		} `json:"messages"`
	}
	if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&body) != nil || len(body.Messages) != 2 || body.Model != "qwen-vi" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	user := body.Messages[1].Content
	answer := user[strings.Index(user, "ANSWER:\n")+len("ANSWER:\n") : strings.Index(user, "\n\nSOURCES:")]
	m.mu.Lock()
	m.seen = append(m.seen, user)
	m.auth = append(m.auth, r.Header.Get("Authorization"))
	reply := m.reply(answer)
	m.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]string{"role": "assistant", "content": reply}}}})
}

func TestAssistantLanguageModelStep(t *testing.T) {
	model := &modelServer{}
	srv := httptest.NewServer(model)
	t.Cleanup(srv.Close)
	e := newEnv(t, withPhraser(repository.NewChatPhraser(srv.URL+"/v1", "qwen-vi", "s3cret", 5*time.Second)))
	tok := e.login("hnkv1.ksv1").AccessToken

	// A faithful rewording (same numbers, same articles) is shown, with the retrieval's citations.
	model.reply = func(answer string) string {
		return "Theo quy định: " + strings.ReplaceAll(answer, " — ", ", ")
	}
	a := e.ask(tok, "Thời hạn tạm giữ là bao lâu?", "")
	if !a.Answered || !strings.HasPrefix(a.Answer, "Theo quy định: ") || !strings.Contains(a.Answer, "3 ngày") {
		t.Fatalf("the faithful rewording was not shown: %+v", a)
	}
	if len(a.Citations) != 2 || a.Citations[0].Ref != "rule:custody_period" {
		t.Errorf("citations changed with the rewording: %+v", a.Citations)
	}
	if model.auth[0] != "Bearer s3cret" || !strings.Contains(model.seen[0], "Điều 118") {
		t.Errorf("the model was sent %q with %q", model.seen[0], model.auth[0])
	}

	// A rewording that invents a number or an article is thrown away: the retrieval's answer stays.
	model.reply = func(string) string { return "Thời hạn tạm giữ là 5 ngày theo Điều 118." }
	a = e.ask(tok, "Thời hạn tạm giữ là bao lâu?", "")
	if strings.Contains(a.Answer, "5 ngày") || !strings.Contains(a.Answer, "3 ngày") {
		t.Errorf("an unsupported number was shown: %s", a.Answer)
	}
	model.reply = func(answer string) string { return answer + " Xem thêm Điều 119." }
	a = e.ask(tok, "Thời hạn tạm giữ là bao lâu?", "")
	if strings.Contains(a.Answer, "Điều 119") {
		t.Errorf("an unsupported article was shown: %s", a.Answer)
	}
	var phrased int
	if err := e.db.QueryRow(`SELECT count(*) FROM assistant_questions WHERE phrased`).Scan(&phrased); err != nil || phrased != 1 {
		t.Errorf("%d answers kept as reworded (%v), want 1", phrased, err)
	}

	// A refusal is never sent to the model; a model that is down leaves the answer as retrieved.
	n := len(model.seen)
	if a := e.ask(tok, "Giá vàng hôm nay bao nhiêu?", ""); a.Answered || len(model.seen) != n {
		t.Errorf("a refusal went to the model: %+v", a)
	}
	srv.Close()
	if a := e.ask(tok, "Thời hạn tạm giữ là bao lâu?", ""); !a.Answered || !strings.Contains(a.Answer, "3 ngày") {
		t.Errorf("with the model down: %+v", a)
	}
}
