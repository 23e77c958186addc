package de.zukunftsstadt.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Files named in analysis settings, resolved as Elasticsearch's {@code Analysis} helper does:
 * relative to the node's config directory, read as UTF-8.
 *
 * <p>A stable plugin is not handed the node's {@code Environment}. Elasticsearch 8.19 does not
 * set the system property {@code es.path.conf} (checked with {@code jcmd VM.system_properties});
 * its launcher leaves {@code ES_PATH_CONF} in the server's environment and otherwise uses
 * {@code <es.path.home>/config}. Read in that order, with the property first for launchers that
 * set it.
 */
final class ConfigFiles {

    private ConfigFiles() {}

    /** The node's config directory. */
    static Path configDir() {
        String conf = System.getProperty("es.path.conf");
        if (conf == null || conf.isEmpty()) {
            conf = System.getenv("ES_PATH_CONF");
        }
        if (conf != null && conf.isEmpty() == false) {
            return Path.of(conf);
        }
        String home = System.getProperty("es.path.home");
        if (home == null || home.isEmpty()) {
            throw new IllegalStateException("config directory unknown: neither ES_PATH_CONF nor es.path.home is set");
        }
        return Path.of(home, "config");
    }

    /** {@code path} resolved against the config directory (absolute paths stay as they are). */
    static Path resolve(String path) {
        return configDir().resolve(path);
    }

    /**
     * The words of {@code <prefix>_path} (a file, one word a line, blank lines and lines starting
     * with {@code #} skipped, each trimmed) or else of the inline list {@code <prefix>}; null when
     * neither is set.
     */
    static List<String> wordList(String path, List<String> inline, String settingPath) {
        if (path == null || path.isEmpty()) {
            return inline == null || inline.isEmpty() ? null : inline;
        }
        Path file = resolve(path);
        try (BufferedReader br = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> words = new ArrayList<>();
            String line;
            while ((line = br.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                words.add(line.trim());
            }
            return words;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(
                String.format(
                    Locale.ROOT,
                    "Unsupported character encoding detected while reading %s: %s - files must be UTF-8 encoded",
                    settingPath,
                    file
                ),
                e
            );
        } catch (IOException e) {
            throw new IllegalArgumentException(
                String.format(Locale.ROOT, "IOException while reading %s: %s", settingPath, file),
                e
            );
        }
    }

    /** A UTF-8 reader on the file {@code path} relative to the config directory. */
    static Reader reader(String path, String settingPath) {
        Path file = resolve(path);
        try {
            // Read fully: the synonym parser consumes the reader in the constructor anyway.
            return new StringReader(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(
                String.format(Locale.ROOT, "IOException while reading %s: %s", settingPath, file),
                e
            );
        }
    }
}
