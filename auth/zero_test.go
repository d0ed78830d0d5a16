package auth_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cbr-replicate/cbr-replicate/auth"
	"github.com/cbr-replicate/cbr-replicate/secret"
)

// exportedTypes are the names of the exported types the package declares.
func exportedTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					if name := s.(*ast.TypeSpec).Name.Name; ast.IsExported(name) {
						names = append(names, name)
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

func TestZeroValues_EveryMethodFailsWithAnErrorNotAPanic(t *testing.T) {
	// Every exported type, its zero value and its nil pointer.
	zeros := map[string][]any{
		"Config":      {auth.Config{}, &auth.Config{}, (*auth.Config)(nil)},
		"Option":      {auth.Option(nil)},
		"Session":     {new(auth.Session), (*auth.Session)(nil)},
		"SignInError": {auth.SignInError{}, &auth.SignInError{}, (*auth.SignInError)(nil)},
	}
	assert.Equal(t, exportedTypes(t), slices.Sorted(func(yield func(string) bool) {
		for name := range zeros {
			if !yield(name) {
				return
			}
		}
	}), "every exported type has its zero values here")

	errorType, contextType := reflect.TypeFor[error](), reflect.TypeFor[context.Context]()
	for name, values := range zeros {
		for _, v := range values {
			rv := reflect.ValueOf(v)
			kind := "zero "
			if rv.Kind() == reflect.Pointer && rv.IsNil() {
				kind = "nil "
			}
			for i := range rv.NumMethod() {
				method := rv.Type().Method(i).Name
				t.Run(name+"/"+kind+rv.Type().String()+"."+method, func(t *testing.T) {
					m := rv.Method(i)
					var args []reflect.Value
					for j := range m.Type().NumIn() {
						in := m.Type().In(j)
						switch {
						case in == contextType:
							args = append(args, reflect.ValueOf(t.Context()))
						case m.Type().IsVariadic() && j == m.Type().NumIn()-1:
						default:
							args = append(args, reflect.Zero(in))
						}
					}
					var out []reflect.Value
					require.NotPanics(t, func() { out = m.Call(args) })
					if n := len(out); n > 0 && out[n-1].Type() == errorType && method != "Unwrap" {
						assert.False(t, out[n-1].IsNil(), "a zero value fails with an error")
					}
				})
			}
		}
	}

	good := auth.Config{AuthURL: "https://iam.example.org/v3", UserID: "u1", Password: secret.New(password), ProjectID: "p1"}
	require.NotPanics(t, func() {
		_, err := auth.NewSession(good, nil)
		assert.NoError(t, err, "a nil Option is no option")
	})
	require.NotPanics(t, func() {
		_, err := auth.FromEnv(nil)
		assert.NoError(t, err, "a nil getenv reads the process environment")
	})
}
