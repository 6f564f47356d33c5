/** Readiness and state notifications to systemd ({@code Type=notify} services). */
package io.vpnlb.control.systemd;
