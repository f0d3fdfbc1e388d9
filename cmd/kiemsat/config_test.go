package main

import (
	"strings"
	"testing"
	"time"
)

// The assistant's language model and the document reader are configured and checked with the rest.
func TestAssistantAndExtractConfig(t *testing.T) {
	t.Setenv("KIEMSAT_ASSISTANT_LLM_URL", "")
	c, err := loadConfig(false, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.AssistantLLMURL != "" || c.ExtractInterval != 15*time.Second || c.AssistantLLMTimeout != 10*time.Second {
		t.Errorf("defaults: url %q, extract %s, timeout %s", c.AssistantLLMURL, c.ExtractInterval, c.AssistantLLMTimeout)
	}
	t.Setenv("KIEMSAT_EXTRACT_INTERVAL", "0")
	t.Setenv("KIEMSAT_ASSISTANT_LLM_URL", "http://10.0.0.5:8000/v1")
	t.Setenv("KIEMSAT_ASSISTANT_LLM_MODEL", "qwen")
	if c, err = loadConfig(false, ""); err != nil || c.ExtractInterval != 0 || c.AssistantLLMModel != "qwen" {
		t.Errorf("set: %+v %v", c, err)
	}
	// A URL without a model, and a URL that is not http(s), are both reported at once.
	t.Setenv("KIEMSAT_ASSISTANT_LLM_URL", "ftp://model")
	t.Setenv("KIEMSAT_ASSISTANT_LLM_MODEL", "")
	_, err = loadConfig(false, "")
	if err == nil || !strings.Contains(err.Error(), "must be an http(s) URL") || !strings.Contains(err.Error(), "KIEMSAT_ASSISTANT_LLM_MODEL is required") {
		t.Errorf("bad settings: %v", err)
	}
}
