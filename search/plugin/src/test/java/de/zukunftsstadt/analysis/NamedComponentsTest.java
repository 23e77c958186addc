package de.zukunftsstadt.analysis;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.elasticsearch.plugin.NamedComponent;
import org.junit.Test;

/** named_components.json (hand-written: Maven has no scanner) lists exactly the annotated classes. */
public class NamedComponentsTest {

    @Test
    public void fileMatchesAnnotations() throws Exception {
        String json = Files.readString(Path.of(System.getProperty("named.components")));
        Map<String, String> declared = new TreeMap<>();
        Matcher m = Pattern.compile("\"([a-z0-9_]+)\"\\s*:\\s*\"([\\w.]+)\"").matcher(json);
        while (m.find()) {
            declared.put(m.group(1), m.group(2));
        }
        Path classes = Path.of(GermanStemFilterFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, String> annotated = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name);
                NamedComponent nc = c.getAnnotation(NamedComponent.class);
                if (nc != null) {
                    annotated.put(nc.value(), name);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(annotated, declared);
        assertEquals(true, json.contains("\"org.elasticsearch.plugin.analysis.TokenFilterFactory\""));
    }
}
