package io.vpnlb.config.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How violations name the elements of the {@code services} and {@code pools} lists, so that the loader and the
 * validator (and the admin API, which answers 422 with violations) agree on every path.
 *
 * <p>An element is named by its {@code name} when that name is well formed and unique in its list
 * ({@code services[ikev2]}, {@code pools[vpn]}); otherwise by its index ({@code services[0]}), so that a path
 * always points at exactly one element. Members and ports are always named by index
 * ({@code pools[vpn].members[2].port}).
 */
public final class ConfigPaths {

    /** Service and pool names: they appear in paths, metric labels and admin API URLs. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** The rule {@link #NAME} enforces, as printed in violations. */
    static final String NAME_RULE =
            "a name of 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";

    private ConfigPaths() {
    }

    /**
     * The path of each element of a named list.
     *
     * @param listPath the list's own path, {@code services} or {@code pools}
     * @param names    the elements' names in list order; {@code ""} for an element without one
     * @return one path per element, for example {@code [services[ikev2], services[1]]}
     */
    public static List<String> elements(String listPath, List<String> names) {
        Map<String, Integer> counts = new HashMap<>();
        for (String name : names) {
            counts.merge(name, 1, Integer::sum);
        }
        List<String> paths = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            boolean usable = counts.get(name) == 1 && NAME.matcher(name).matches();
            paths.add(listPath + "[" + (usable ? name : Integer.toString(i)) + "]");
        }
        return paths;
    }
}
