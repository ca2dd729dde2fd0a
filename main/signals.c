/*
 * Self-pipe signal handling for the parent process (see signals.h).
 */
#include "main/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static int wake_pipe[2] = {-1, -1};
static atomic_uint pending;

static void
on_signal(int signo)
{
	int			saved = errno;
	unsigned	bit = 0;

	switch (signo)
	{
		case SIGCHLD: bit = PSIG_CHLD; break;
		case SIGHUP: bit = PSIG_HUP; break;
		case SIGTERM: bit = PSIG_TERM; break;
		case SIGINT: bit = PSIG_INT; break;
		case SIGQUIT: bit = PSIG_QUIT; break;
		case SIGUSR1: bit = PSIG_USR1; break;
	}
	atomic_fetch_or(&pending, bit);
	if (write(wake_pipe[1], "x", 1) < 0)
	{
		/* the pipe is full: the loop is already due to wake */
	}
	errno = saved;
}

int
parent_signals_install(void)
{
	struct sigaction sa;
	const int	signals[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1};

	if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaction(signals[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return wake_pipe[0];
}

unsigned
parent_signals_take(void)
{
	char		buf[64];

	while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
		;
	return atomic_exchange(&pending, 0);
}

void
parent_signals_reset_in_child(void)
{
	const int	signals[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1};

	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		signal(signals[i], SIG_DFL);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
	atomic_store(&pending, 0);
}

void
aux_signals_on_stop(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
}
