#ifndef FARMCTL_CLIBSSH2_SHIM_H
#define FARMCTL_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

// libssh2's function-like macros do not import into Swift: these are the ones the Workers module uses.

static inline LIBSSH2_SESSION *farm_ssh2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

/// A "session" channel with libssh2's default window and packet size.
static inline LIBSSH2_CHANNEL *farm_ssh2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int farm_ssh2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command, unsigned int length) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, length);
}

static inline ssize_t farm_ssh2_channel_read(LIBSSH2_CHANNEL *channel, int stream, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, stream, buffer, length);
}

static inline LIBSSH2_SFTP_HANDLE *farm_ssh2_sftp_open(LIBSSH2_SFTP *sftp, const char *path, unsigned int length,
                                                       unsigned long flags, long mode) {
    return libssh2_sftp_open_ex(sftp, path, length, flags, mode, LIBSSH2_SFTP_OPENFILE);
}

static inline int farm_ssh2_userauth_publickey_fromfile(LIBSSH2_SESSION *session, const char *user,
                                                        const char *publicKey, const char *privateKey) {
    return libssh2_userauth_publickey_fromfile_ex(session, user, (unsigned int)strlen(user),
                                                  publicKey, privateKey, NULL);
}

/// Bytes written to a socket that the peer has not yet acknowledged (Linux SIOCOUTQ), or -1.
static inline int farm_socket_unsent_bytes(int fd) {
#ifdef SIOCOUTQ
    int count = 0;
    if (ioctl(fd, SIOCOUTQ, &count) < 0) return -1;
    return count;
#else
    (void)fd;
    return -1;
#endif
}

/// poll(2)'s "peer closed its end" event where the platform has one (Linux POLLRDHUP, which <poll.h> only
/// defines under _GNU_SOURCE), else 0.
static inline short farm_poll_rdhup(void) {
#if defined(POLLRDHUP)
    return POLLRDHUP;
#elif defined(__linux__)
    return 0x2000;
#else
    return 0;
#endif
}

#endif
