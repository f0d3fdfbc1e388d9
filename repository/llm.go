package repository

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ChatPhraser rewords the assistant's answers through an OpenAI-compatible chat completions
// endpoint run inside the organisation (a local model server such as vLLM, llama.cpp's server or
// Ollama's OpenAI API). It is given the answer built from retrieval and its sources only, and is
// told to add nothing; the assistant then checks the rewording's numbers and articles against
// them and keeps the original when they do not match. Off unless KIEMSAT_ASSISTANT_LLM_URL is set.
type ChatPhraser struct {
	BaseURL string // e.g. http://10.0.0.5:8000/v1
	Model   string
	APIKey  string
	HTTP    *http.Client
}

// NewChatPhraser builds a phraser with a bounded timeout.
func NewChatPhraser(baseURL, model, apiKey string, timeout time.Duration) *ChatPhraser {
	return &ChatPhraser{BaseURL: strings.TrimRight(baseURL, "/"), Model: model, APIKey: apiKey, HTTP: &http.Client{Timeout: timeout}}
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Phrase asks the model for a rewording of answer in language ("vi" or "en").
func (p *ChatPhraser) Phrase(ctx context.Context, language, question, answer string, sources []string) (string, error) {
	lang := "Vietnamese"
	if language == "en" {
		lang = "English"
	}
	system := "You rephrase answers of a criminal-procedure assistant for prosecutors. Rewrite the ANSWER in clear, natural " + lang +
		". Use only facts in the ANSWER and SOURCES. Do not add numbers, dates, articles or facts. Keep every number and article reference. Reply with the rewritten answer only."
	user := "QUESTION:\n" + question + "\n\nANSWER:\n" + answer + "\n\nSOURCES:\n" + strings.Join(sources, "\n")
	body, err := json.Marshal(map[string]any{"model": p.Model, "temperature": 0,
		"messages": []chatMessage{{Role: "system", Content: system}, {Role: "user", Content: user}}})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.BaseURL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if p.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+p.APIKey)
	}
	res, err := p.HTTP.Do(req)
	if err != nil {
		return "", fmt.Errorf("language model: %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("language model: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("language model: status %d", res.StatusCode)
	}
	var out struct {
		Choices []struct {
			Message chatMessage `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("language model: %w", err)
	}
	if len(out.Choices) == 0 {
		return "", fmt.Errorf("language model: no choice in the answer")
	}
	return out.Choices[0].Message.Content, nil
}
