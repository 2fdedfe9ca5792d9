package simulator

import (
	"context"
	"testing"
	"time"
)

func TestSmokeDemo(t *testing.T) {
	t0 := time.Now()
	s, err := Start(DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Logf("built in %v url=%s", time.Since(t0), s.URL)
	c, err := s.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = c
	for _, call := range s.Calls() {
		t.Logf("%+v", call)
	}
	t.Log(s.HostID("esx-01.lab"), s.DVPortGroupID("FW-CORE"), s.VMID("fw-a"), s.SessionCount())
}
