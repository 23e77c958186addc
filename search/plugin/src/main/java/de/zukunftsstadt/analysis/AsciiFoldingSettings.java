package de.zukunftsstadt.analysis;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;

/** Settings of {@code asciifolding}. */
@AnalysisSettings
public interface AsciiFoldingSettings {

    @BooleanSetting(path = "preserve_original", defaultValue = false)
    boolean preserveOriginal();
}
