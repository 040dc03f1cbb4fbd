using System.Globalization;

namespace StingOps.Core.Compose.Yaml;

/// <summary>Typed readings of scalar text, shared by the compose and configuration readers.</summary>
internal static class YamlValues
{
    /// <summary>
    /// Booleans as compose accepts them: YAML 1.2 true/false in any case, plus the YAML 1.1 words
    /// (yes/no/on/off/y/n) that compose still takes with a warning and that hand-written config files use.
    /// </summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "yes" or "y" or "on":
                value = true;
                return true;
            case "false" or "no" or "n" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryParseInt(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseDouble(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    /// <summary>A short, single-line rendering of a bad value for a message (config values, never secrets).</summary>
    public static string Quote(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= 40 ? $"'{oneLine}'" : $"'{oneLine[..37]}...'";
    }
}
