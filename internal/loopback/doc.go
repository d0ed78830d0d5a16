// Package loopback tells whether a host is this machine's loopback, the one
// place where the project decides that plain http may carry a credential
// (a token, a password) because the traffic never leaves the machine.
package loopback
