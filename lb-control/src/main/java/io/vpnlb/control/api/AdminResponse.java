package io.vpnlb.control.api;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One answer of the admin API, independent of Netty's channel plumbing. */
public record AdminResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json; charset=utf-8";

    public AdminResponse {
        headers = Map.copyOf(headers);
    }

    static AdminResponse of(HttpResponseStatus status, String contentType, byte[] body) {
        return new AdminResponse(status, contentType, body, Map.of());
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
