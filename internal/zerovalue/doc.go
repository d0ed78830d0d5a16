// Package zerovalue holds one test: every exported type of the packages
// users build on (auth, aksk, cbrtest, client, replicate, secret, validate),
// as its zero value and its nil pointer, answers every method with an
// error or a plain value, never a panic. Nothing imports it.
package zerovalue
