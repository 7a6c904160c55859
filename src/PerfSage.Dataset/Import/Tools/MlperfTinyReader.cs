using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PerfSage.Dataset;

/// <summary>
/// Reads the MLPerf Tiny results of one system, as the tinyMLPerf results repositories hold them
/// (mlcommons/tiny_results_v1.0 … v1.3: <c>&lt;division&gt;/&lt;submitter&gt;/results/&lt;system&gt;/&lt;benchmark&gt;/…</c>,
/// lines written by the EEMBC EnergyRunner host):
/// <list type="bullet">
/// <item><c>&lt;benchmark&gt;/performance/results.txt</c>: <c>… Median throughput is X inf./sec.</c> → latency_ms = 1000 / X;</item>
/// <item><c>&lt;benchmark&gt;/energy/results.txt</c> (where measured): <c>… Median energy cost is E uJ/inf.</c> →
/// energy_mj = E / 1000 (its throughput lines, measured under the energy harness, are not used);</item>
/// <item><c>systems/&lt;system&gt;.json</c> (<c>--system</c>): <c>"Board Name"</c> and <c>"Processor(s) Frequencies"</c>
/// (<c>"280 MHz"</c>) name the target, <c>&lt;board&gt;-&lt;MHz&gt;mhz</c> (<c>nucleo-h7a3zi-q-280mhz</c>), unless
/// <c>--target</c> is given; the clock is recorded in <c>dataset.json</c>.</item>
/// </list>
/// Benchmark folders are <c>kws</c>, <c>vww</c>, <c>ic</c>, <c>ad</c> or their long names (<c>keyword_spotting</c>,
/// <c>visual_wake_words</c>, <c>person_detection</c>, <c>image_classification</c>, <c>anomaly_detection</c>); the model of
/// each is the user's (<c>--models DIR</c> holding <c>kws.tflite</c>…, or <c>--model kws=PATH</c>).
/// </summary>
internal static partial class MlperfTinyReader
{
    private static readonly Dictionary<string, string> Benchmarks = new(StringComparer.Ordinal)
    {
        ["kws"] = "kws", ["keyword_spotting"] = "kws",
        ["vww"] = "vww", ["visual_wake_words"] = "vww", ["person_detection"] = "vww",
        ["ic"] = "ic", ["image_classification"] = "ic",
        ["ad"] = "ad", ["anomaly_detection"] = "ad",
    };

    [GeneratedRegex(@"Median throughput is\s+(?<v>\S+)\s+inf\./sec\.", RegexOptions.CultureInvariant)]
    private static partial Regex Throughput();

    [GeneratedRegex(@"Median energy cost is\s+(?<v>\S+)\s+uJ/inf\.", RegexOptions.CultureInvariant)]
    private static partial Regex Energy();

    [GeneratedRegex(@"(?<v>\d+(?:\.\d+)?)\s*(?<unit>GHz|MHz|kHz|Hz)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Frequency();

    public static ToolReading Read(ToolImportRequest request)
    {
        var reading = new ToolReading();
        string? target = request.Target;
        if (request.SystemFile is string system)
        {
            (string board, double? mhz) = ReadSystem(system, reading);
            reading.ClockMhz = mhz;
            target ??= BoardTarget(board, mhz);
        }
        if (target is null)
        {
            throw new DatasetException("--from mlperf-tiny needs --system SYSTEM.json (the board and its clock name the target) or --target NAME");
        }
        foreach (string input in request.Inputs)
        {
            if (!Directory.Exists(input))
            {
                DatasetInput.Check(input, Limits.MaxTextBytes, "MLPerf Tiny results folder");
                throw new DatasetException($"{input}: is a file; give the results folder of one system (results/<system>, holding kws/, vww/, ic/, ad/)");
            }
            List<string> benches = [.. Directory.EnumerateDirectories(input)
                .Where(d => Benchmarks.ContainsKey(Path.GetFileName(d)))
                .Order(StringComparer.Ordinal)];
            if (benches.Count == 0)
            {
                throw new DatasetException($"{input}: holds no benchmark folder ({string.Join(", ", Benchmarks.Keys)}); give the results folder of one system");
            }
            foreach (string bench in benches)
            {
                ReadBenchmark(bench, Benchmarks[Path.GetFileName(bench)], target, reading);
            }
        }
        return reading;
    }

    private static void ReadBenchmark(string dir, string benchmark, string target, ToolReading reading)
    {
        string performance = Path.Combine(dir, "performance", "results.txt");
        (double? throughput, long line, string? bad) = Median(performance, Throughput(), "Median throughput is X inf./sec.", reading, required: true);
        if (bad is not null)
        {
            reading.AddBad(performance, line, bad);
            return;
        }
        double? energyMj = null;
        string energy = Path.Combine(dir, "energy", "results.txt");
        if (File.Exists(energy) || Directory.Exists(energy))
        {
            (double? uj, long energyLine, string? badEnergy) = Median(energy, Energy(), "Median energy cost is E uJ/inf.", reading, required: true);
            if (badEnergy is not null)
            {
                reading.AddBad(energy, energyLine, badEnergy);
                return;
            }
            energyMj = uj / 1000;
        }
        else if (Directory.Exists(Path.GetDirectoryName(energy)))
        {
            reading.AddBad(energy, 1, "the energy folder has no results.txt: the energy run did not finish (remove the folder to import the latency alone)");
            return;
        }
        reading.Records.Add(new ToolRecord(performance, line, benchmark, target, [1000 / throughput!.Value, energyMj, null, null]));
    }

    /// <summary>The value of the last line <paramref name="pattern"/> matches, its line, or why there is none.</summary>
    private static (double? Value, long Line, string? Bad) Median(string file, Regex pattern, string expected, ToolReading reading, bool required)
    {
        string[] lines = ToolImporter.Lines(reading.Read(file, "MLPerf Tiny results.txt"));
        for (int i = lines.Length - 1; i >= 0; i--)
        {
            if (pattern.Match(lines[i]) is { Success: true } m)
            {
                string text = m.Groups["v"].Value;
                return !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v)
                    ? (null, i + 1, $"'{Limits.Echo(text)}' is not a number")
                    : v <= 0 ? (null, i + 1, $"{Limits.Echo(text)} is not positive")
                    : (v, i + 1, null);
            }
        }
        return required ? (null, Math.Max(1, lines.Length), $"no '{expected}' line: the results are truncated or the run did not finish") : (null, 0, null);
    }

    /// <summary>Board name and processor clock (MHz, null when the description leaves it empty) of a system description.</summary>
    private static (string Board, double? Mhz) ReadSystem(string path, ToolReading reading)
    {
        byte[] bytes = reading.Read(path, "MLPerf Tiny system description", Limits.MaxJsonBytes);
        string? board = null, frequency = null;
        try
        {
            // The published descriptions repeat some keys ("Inference Framework"): the first non-empty value counts.
            using JsonDocument doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetException($"{path}: not a system description (expected a JSON object)");
            }
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                string? value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()?.Trim() : null;
                if (string.IsNullOrEmpty(value))
                {
                    continue;
                }
                if (p.Name.Trim() == "Board Name")
                {
                    board ??= value;
                }
                else if (p.Name.Trim() == "Processor(s) Frequencies")
                {
                    frequency ??= value;
                }
            }
        }
        catch (JsonException e)
        {
            throw new DatasetException($"{path}: not valid JSON (line {e.LineNumber + 1}): {Limits.Echo(e.Message)}", e);
        }
        if (board is null)
        {
            throw new DatasetException($"{path}: no \"Board Name\"; not an MLPerf Tiny system description");
        }
        if (frequency is null)
        {
            return (board, null);
        }
        if (Frequency().Match(frequency) is not { Success: true } f)
        {
            throw new DatasetException($"{path}: \"Processor(s) Frequencies\" '{Limits.Echo(frequency)}' gives no frequency with a unit (such as 280 MHz)");
        }
        double mhz = double.Parse(f.Groups["v"].Value, CultureInfo.InvariantCulture) * f.Groups["unit"].Value.ToLowerInvariant() switch
        {
            "ghz" => 1000,
            "mhz" => 1,
            "khz" => 1e-3,
            _ => 1e-6,
        };
        if (mhz is < 1 or > 10_000)
        {
            throw new DatasetException(string.Create(CultureInfo.InvariantCulture, $"{path}: processor clock {mhz} MHz is outside 1 to 10,000 MHz"));
        }
        return (board, mhz);
    }

    /// <summary><c>nucleo-h7a3zi-q-280mhz</c> for board NUCLEO-H7A3ZI-Q at 280 MHz: the board's name in the characters a
    /// target name takes (at most 40), then the clock.</summary>
    internal static string BoardTarget(string board, double? mhz) =>
        ImportCommit.Sanitize(board, "board") + (mhz is double m ? string.Create(CultureInfo.InvariantCulture, $"-{m:0.###}mhz").Replace('.', '_') : "");
}
