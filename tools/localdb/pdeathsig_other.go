//go:build !linux

package main

// setParentDeathSignal is a no-op off Linux; the stdin watch still stops the server.
func setParentDeathSignal() {}
