package shell

// ForkCount is the number of live forks of sh, for tests.
func ForkCount(sh *Shell) int {
	sh.stateMu.Lock()
	defer sh.stateMu.Unlock()
	return len(sh.forks)
}
