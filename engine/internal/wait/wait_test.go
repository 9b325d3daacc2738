package wait

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func TestForOrStop(t *testing.T) {
	t.Parallel()
	closed := make(chan struct{})
	close(closed)
	tests := []struct {
		name   string
		d      time.Duration
		cancel time.Duration // when ctx ends; 0: never
		stop   <-chan struct{}
		want   bool
		took   time.Duration
	}{
		{name: "whole wait", d: time.Minute, want: true, took: time.Minute},
		{name: "ctx ends first", d: time.Minute, cancel: time.Second, want: false, took: time.Second},
		{name: "stop closed", d: time.Minute, stop: closed, want: false},
		{name: "no wait", d: 0, want: true},
		{name: "no wait, ctx over", d: 0, cancel: -1, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				switch {
				case tt.cancel < 0:
					cancel()
				case tt.cancel > 0:
					time.AfterFunc(tt.cancel, cancel)
				}
				start := time.Now()
				if got := ForOrStop(ctx, tt.d, tt.stop); got != tt.want {
					t.Errorf("ForOrStop = %v, want %v", got, tt.want)
				}
				if took := time.Since(start); took != tt.took {
					t.Errorf("took %v, want %v", took, tt.took)
				}
			})
		})
	}
}

func TestFor(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if !For(context.Background(), 3*time.Second) || time.Since(start) != 3*time.Second {
			t.Errorf("For waited %v, want 3s and true", time.Since(start))
		}
	})
}
