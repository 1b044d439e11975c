package faq

import "context"

// Progress receives how far a long computation (Build, Evaluate, CrossEvaluate) is: a stage
// ("train", "cross-validation", "test", "fold"), and done of total steps in it. It is called
// from the computing goroutine; the package itself prints nothing.
type Progress func(stage string, done, total int)

type progressKey struct{}

// WithProgress returns a context whose computations report to p.
func WithProgress(ctx context.Context, p Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// progressFrom returns the context's Progress, or one that does nothing.
func progressFrom(ctx context.Context) Progress {
	if p, ok := ctx.Value(progressKey{}).(Progress); ok && p != nil {
		return p
	}
	return func(string, int, int) {}
}
