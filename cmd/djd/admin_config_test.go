package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestAdminTokenComesFromTheEnvironmentOnly(t *testing.T) {
	const token = "s3cret-admin-token-0123456789"
	c, err := parseConfig(nil, envOf(map[string]string{"DJ_ADMIN_TOKEN": token}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.AdminToken != token {
		t.Fatalf("admin token not read from DJ_ADMIN_TOKEN")
	}
	if _, err := parseConfig([]string{"-admin-token", token}, envOf(nil), io.Discard); err == nil {
		t.Fatal("-admin-token accepted: a secret on the command line shows in process listings")
	}
	c, err = parseConfig(nil, envOf(nil), io.Discard)
	if err != nil || c.AdminToken != "" {
		t.Fatalf("no DJ_ADMIN_TOKEN: token %q, err %v", c.AdminToken, err)
	}
}

func TestShortAdminTokenIsRefusedWithoutEchoingIt(t *testing.T) {
	const token = "short-secret"
	_, err := parseConfig(nil, envOf(map[string]string{"DJ_ADMIN_TOKEN": token}), io.Discard)
	if err == nil {
		t.Fatal("a 12-character admin token was accepted")
	}
	if strings.Contains(err.Error(), token) {
		t.Fatalf("the error echoes the token: %v", err)
	}
}

func TestHelpListsTheAdminTokenWithoutItsValue(t *testing.T) {
	const token = "s3cret-admin-token-0123456789"
	var out bytes.Buffer
	_, _ = parseConfig([]string{"-help"}, envOf(map[string]string{"DJ_ADMIN_TOKEN": token}), &out)
	if !strings.Contains(out.String(), "DJ_ADMIN_TOKEN") || strings.Contains(out.String(), token) {
		t.Fatalf("help should name DJ_ADMIN_TOKEN and never show its value:\n%s", out.String())
	}
}
