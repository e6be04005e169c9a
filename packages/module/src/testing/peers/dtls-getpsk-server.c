/*
 * A DTLS 1.2 PSK server for tests (seed 001 §6.1.1.1 steps 4-7 with OpenSSL, as the seed's
 * own server example): its psk_server_cb prints the client's identity on stdout and reads
 * the PSK (hex) from stdin, so the test can ask the cloud's GetPSK in between. One client,
 * one datagram echoed. Protocol on stdout: PORT <n>, IDENTITY <id>, ACCEPTED | FAIL, DATA <text>.
 */
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static unsigned int psk_cb(SSL *ssl, const char *identity, unsigned char *psk, unsigned int max) {
  (void)ssl;
  printf("IDENTITY %s\n", identity ? identity : "");
  fflush(stdout);
  char line[300];
  if (!fgets(line, sizeof line, stdin)) return 0;
  size_t n = strcspn(line, "\r\n");
  if (n == 0 || n % 2 || n / 2 > max) return 0;
  for (size_t i = 0; i < n / 2; i++) {
    unsigned v;
    if (sscanf(line + 2 * i, "%2x", &v) != 1) return 0;
    psk[i] = (unsigned char)v;
  }
  return (unsigned int)(n / 2);
}

/* s_server's default for DTLS: a HelloVerifyRequest round (the module's client goes through it like any DTLS 1.2 client). */
static int cookie_gen(SSL *ssl, unsigned char *cookie, unsigned int *len) {
  (void)ssl;
  memcpy(cookie, "modemlab", 8);
  *len = 8;
  return 1;
}

static int cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len) {
  (void)ssl;
  return len == 8 && memcmp(cookie, "modemlab", 8) == 0;
}

int main(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) return 2;
  socklen_t l = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &l);
  printf("PORT %d\n", ntohs(a.sin_port));
  fflush(stdout);
  struct sockaddr_in peer;
  socklen_t pl = sizeof peer;
  char peek[1];
  recvfrom(fd, peek, 1, MSG_PEEK, (struct sockaddr *)&peer, &pl);
  connect(fd, (struct sockaddr *)&peer, pl);
  SSL_CTX *ctx = SSL_CTX_new(DTLS_server_method());
  SSL_CTX_set_cipher_list(ctx, "PSK-AES128-CCM8:PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256:PSK-AES128-CBC-SHA");
  SSL_CTX_set_psk_server_callback(ctx, psk_cb);
  SSL_CTX_set_cookie_generate_cb(ctx, cookie_gen);
  SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify);
  SSL_CTX_set_options(ctx, SSL_OP_COOKIE_EXCHANGE);
  SSL *ssl = SSL_new(ctx);
  BIO *bio = BIO_new_dgram(fd, BIO_NOCLOSE);
  BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &peer);
  SSL_set_bio(ssl, bio, bio);
  if (SSL_accept(ssl) <= 0) {
    printf("FAIL\n");
    ERR_print_errors_fp(stdout);
    fflush(stdout);
    return 1;
  }
  printf("ACCEPTED\n");
  fflush(stdout);
  char buf[2048];
  int n = SSL_read(ssl, buf, sizeof buf - 1);
  if (n > 0) {
    buf[n] = 0;
    printf("DATA %s\n", buf);
    fflush(stdout);
    SSL_write(ssl, buf, n);
  }
  /* Until stdin closes (the test is done). */
  while (fgets(buf, sizeof buf, stdin)) {
  }
  return 0;
}
