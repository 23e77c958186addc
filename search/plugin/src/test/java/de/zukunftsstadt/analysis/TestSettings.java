package de.zukunftsstadt.analysis;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.IntSetting;
import org.elasticsearch.plugin.settings.ListSetting;
import org.elasticsearch.plugin.settings.StringSetting;

/** Settings proxies as the node builds them: values by path, else the annotation's default. */
final class TestSettings {

    private TestSettings() {}

    @SuppressWarnings("unchecked")
    static <T> T of(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            Annotation a = method.getAnnotations()[0];
            if (a instanceof IntSetting s) {
                return values.containsKey(s.path()) ? Integer.valueOf(values.get(s.path()).toString()) : s.defaultValue();
            } else if (a instanceof BooleanSetting s) {
                return values.containsKey(s.path()) ? Boolean.valueOf(values.get(s.path()).toString()) : s.defaultValue();
            } else if (a instanceof StringSetting s) {
                return values.containsKey(s.path()) ? values.get(s.path()).toString() : s.defaultValue();
            } else if (a instanceof ListSetting s) {
                return values.getOrDefault(s.path(), List.of());
            }
            throw new IllegalArgumentException(a.toString());
        });
    }
}
