/**
 * Certificate import for TLS services: every common encoding in, an ordered chain with a checked key out, and
 * failures that name the file and the exact problem. Uses BouncyCastle for PEM and encrypted keys; no Netty.
 */
package io.vpnlb.config.cert;
