using System.Globalization;
using System.Text.RegularExpressions;

namespace PerfSage.Dataset;

/// <summary>
/// Reads the log of TensorFlow Lite's <c>benchmark_model</c> (tensorflow/lite/tools/benchmark: benchmark_model.cc,
/// <c>BenchmarkLoggingListener::OnBenchmarkEnd</c> and <c>BenchmarkModel::Run</c>; benchmark_tflite_model.cc,
/// <c>LogParams</c>; tools/logging.h prints each line after <c>INFO: </c>, older builds without it). A run is the lines
/// from <c>Graph: [PATH]</c> to its
/// <c>Inference timings in us: Init: …, First inference: …, Warmup (avg): …, Inference (avg): A</c>; a log may hold
/// several runs. Labels: latency_ms = A / 1000 (the tool averages the timed runs; the warm-up runs are reported apart and
/// left out), peak_ram_kb = the <c>overall</c> of <c>Memory footprint delta from the start of the tool (MB): init=…
/// overall=B</c> × 1024 (the tool's MB is KiB / 1024; it calls the figure approximate; empty when the line is absent or
/// B ≤ 0). <c>The input model file size (MB): S</c> (bytes / 10^6) is checked against the model file found, so a log is
/// never paired with another model. The target is <c>--target</c>: one device per import. A folder given as input
/// contributes its <c>*.log</c> and <c>*.txt</c> files.
/// </summary>
internal static partial class BenchmarkModelLogReader
{
    [GeneratedRegex(@"(?:^|\s)Graph: \[(?<path>.*)\]\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex GraphLine();

    [GeneratedRegex(@"Inference timings in us: Init: (?<init>\S+), First inference: (?<first>\S+), Warmup \(avg\): (?<warm>\S+), Inference \(avg\): (?<avg>\S+?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TimingsLine();

    [GeneratedRegex(@"Memory footprint delta from the start of the tool \(MB\): init=(?<init>\S+) overall=(?<overall>\S+?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex MemoryLine();

    [GeneratedRegex(@"The input model file size \(MB\): (?<mb>\S+?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex SizeLine();

    private sealed class Run(long line, string path)
    {
        public long Line { get; } = line;

        public string Path { get; } = path;

        public double? FileMb { get; set; }

        public long? TimingsLine { get; set; }

        public double? LatencyMs { get; set; }

        public double? RamKb { get; set; }

        public string? Bad { get; set; }

        public long BadLine { get; set; }
    }

    public static ToolReading Read(ToolImportRequest request)
    {
        if (request.Target is null)
        {
            throw new DatasetException("--from benchmark-model needs --target NAME: the device the logs were measured on (one per import)");
        }
        var reading = new ToolReading();
        foreach (string input in request.Inputs)
        {
            foreach (string file in ToolImporter.Expand(input,
                n => n.EndsWith(".log", StringComparison.Ordinal) || n.EndsWith(".txt", StringComparison.Ordinal), "benchmark_model log (*.log, *.txt)"))
            {
                ReadLog(file, request.Target, reading);
            }
        }
        return reading;
    }

    private static void ReadLog(string file, string target, ToolReading reading)
    {
        string[] lines = ToolImporter.Lines(reading.Read(file, "benchmark_model log"));
        var runs = new List<Run>();
        Run? run = null;
        for (int i = 0; i < lines.Length; i++)
        {
            long no = i + 1;
            string line = lines[i];
            if (GraphLine().Match(line) is { Success: true } g)
            {
                run = new Run(no, g.Groups["path"].Value.Trim());
                runs.Add(run);
                continue;
            }
            if (TimingsLine().Match(line) is { Success: true } t)
            {
                if (run is null || run.TimingsLine is not null)
                {
                    reading.AddBad(file, no, "inference timings with no 'Graph: [...]' line before them: which model they time is unknown");
                    continue;
                }
                run.TimingsLine = no;
                string avg = t.Groups["avg"].Value;
                if (!TryNumber(avg, out double us))
                {
                    Fail(run, no, $"Inference (avg) '{Limits.Echo(avg)}' is not a number");
                }
                else if (us <= 0)
                {
                    Fail(run, no, $"Inference (avg) {Limits.Echo(avg)} us is not positive");
                }
                else
                {
                    run.LatencyMs = us / 1000;
                }
                continue;
            }
            if (run is null)
            {
                continue;
            }
            if (MemoryLine().Match(line) is { Success: true } m)
            {
                string overall = m.Groups["overall"].Value;
                if (!TryNumber(overall, out double mb))
                {
                    Fail(run, no, $"memory footprint overall='{Limits.Echo(overall)}' is not a number");
                }
                else if (mb > 0)
                {
                    run.RamKb = mb * 1024;
                }
            }
            else if (SizeLine().Match(line) is { Success: true } s)
            {
                string mb = s.Groups["mb"].Value;
                if (!TryNumber(mb, out double size) || size <= 0)
                {
                    Fail(run, no, $"model file size '{Limits.Echo(mb)}' MB is not a positive number");
                }
                else
                {
                    run.FileMb = size;
                }
            }
        }
        if (runs.Count == 0 && !reading.Bad.Any(b => b.File == file))
        {
            reading.AddBad(file, Math.Max(1, lines.Length), "no 'Graph: [...]' line: not a benchmark_model log, or one cut before the run");
        }
        foreach (Run r in runs)
        {
            if (r.Bad is not null)
            {
                reading.AddBad(file, r.BadLine, r.Bad);
                continue;
            }
            if (r.LatencyMs is not double latency)
            {
                reading.AddBad(file, r.Line, $"the run of '{Limits.Echo(r.Path)}' has no 'Inference timings in us' line: the log is truncated or the run failed");
                continue;
            }
            double? fileMb = r.FileMb;
            string where = $"{file} line {r.Line}";
            reading.Records.Add(new ToolRecord(file, r.TimingsLine!.Value, Path.GetFileNameWithoutExtension(r.Path), target,
                [latency, null, r.RamKb, null])
            {
                LoggedPath = r.Path,
                CheckModel = fileMb is double mb ? model => SizeMatches(model, mb, where) : null,
            });
        }
    }

    /// <summary>The log prints the size in MB (10^6 bytes) with 6 significant digits (the C++ stream default), so it must
    /// match the file's size to 1 part in 10^5.</summary>
    private static string? SizeMatches(LoadedModel model, double mb, string where)
    {
        double bytes = model.Bytes.Length;
        return Math.Abs(mb * 1e6 - bytes) <= 1e-5 * Math.Max(bytes, mb * 1e6) + 1
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"model '{Limits.Echo(model.Text)}' is {model.Bytes.Length} bytes, but the log ({where}) benchmarked a file of {mb} MB: another model?");
    }

    private static void Fail(Run run, long line, string reason)
    {
        if (run.Bad is null)
        {
            run.Bad = reason;
            run.BadLine = line;
        }
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
