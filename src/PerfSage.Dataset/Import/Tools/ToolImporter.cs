using System.Text;

namespace PerfSage.Dataset;

/// <summary>The tools whose output <c>perfsage dataset import --from</c> reads.</summary>
public enum ToolFormat
{
    /// <summary>Arm Vela's performance estimate: <c>&lt;network&gt;_summary_&lt;system config&gt;.csv</c> and, where given,
    /// <c>&lt;network&gt;_per-layer.csv</c> (<see cref="VelaReader"/>).</summary>
    Vela,

    /// <summary>The TFLite <c>benchmark_model</c> tool's log (<see cref="BenchmarkModelLogReader"/>).</summary>
    BenchmarkModel,

    /// <summary>MLPerf Tiny results of one system: <c>&lt;benchmark&gt;/performance/results.txt</c>,
    /// <c>&lt;benchmark&gt;/energy/results.txt</c>, and its <c>systems/*.json</c> (<see cref="MlperfTinyReader"/>).</summary>
    MlperfTiny,
}

/// <summary>The names of <see cref="ToolFormat"/> as <c>--from</c> spells them.</summary>
public static class ToolFormats
{
    /// <summary>Every name, in <see cref="ToolFormat"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["vela", "benchmark-model", "mlperf-tiny"];

    /// <summary><c>vela</c>, <c>benchmark-model</c> or <c>mlperf-tiny</c>.</summary>
    public static string Name(ToolFormat tool) => Names[(int)tool];

    /// <summary>Parses a name; throws <see cref="DatasetException"/> listing the names otherwise.</summary>
    public static ToolFormat Parse(string name)
    {
        int i = Names.ToList().IndexOf(name);
        return i >= 0 ? (ToolFormat)i
            : throw new DatasetException($"--from: unknown tool '{Limits.Echo(name)}' (expected one of {string.Join(", ", Names)})");
    }
}

/// <summary>What <c>perfsage dataset import --from TOOL</c> imports.</summary>
/// <param name="Tool">Whose output the inputs are.</param>
/// <param name="Inputs">The tool's output files or folders (<c>--input</c>).</param>
public sealed record ToolImportRequest(ToolFormat Tool, IReadOnlyList<string> Inputs)
{
    /// <summary>A folder holding the models as <c>NAME.tflite</c> (<c>--models</c>), NAME being what the output calls
    /// the model: Vela's network name, the file name of the graph in a <c>benchmark_model</c> log, the MLPerf Tiny
    /// benchmark (<c>kws</c>, <c>vww</c>, <c>ic</c>, <c>ad</c>).</summary>
    public string? ModelsDirectory { get; init; }

    /// <summary>Explicit models by name (<c>--model NAME=PATH</c>), tried before <see cref="ModelsDirectory"/>.</summary>
    public IReadOnlyDictionary<string, string> Models { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The target of every record (<c>--target</c>): required for <c>benchmark-model</c>; for Vela it replaces
    /// the accelerator configuration's id, for MLPerf Tiny the name made from the system description.</summary>
    public string? Target { get; init; }

    /// <summary>MLPerf Tiny's system description (<c>systems/SYSTEM.json</c>, <c>--system</c>): board name and clock.</summary>
    public string? SystemFile { get; init; }

    /// <summary>Import the good records even when some are bad (the bad ones are still reported).</summary>
    public bool SkipBadRows { get; init; }
}

/// <summary>One measurement a tool's output gave, before its model is read.</summary>
/// <param name="File">The file it is in.</param>
/// <param name="Line">Its line in that file (1-based; a CSV's header is line 1).</param>
/// <param name="ModelName">What the output calls the model (a Vela network, a graph file's name without
/// <c>.tflite</c>, an MLPerf Tiny benchmark).</param>
/// <param name="Target">The target.</param>
/// <param name="Values">latency_ms, energy_mj, peak_ram_kb, flash_kb (null where not given).</param>
internal sealed record ToolRecord(string File, long Line, string ModelName, string Target, double?[] Values)
{
    /// <summary>The model path the output itself names (a <c>benchmark_model</c> log's <c>Graph: [...]</c>), tried last.</summary>
    public string? LoggedPath { get; init; }

    /// <summary>A check of the model file once read (a log's file size against it); null or the reason it fails.</summary>
    public Func<LoadedModel, string?>? CheckModel { get; init; }
}

/// <summary>What a reader made of a tool's output.</summary>
internal sealed class ToolReading
{
    /// <summary>Good records.</summary>
    public List<ToolRecord> Records { get; } = [];

    /// <summary>Bad records (file and line named).</summary>
    public List<BadRow> Bad { get; } = [];

    /// <summary>Every file read, in order.</summary>
    public List<ImportedFile> Files { get; } = [];

    /// <summary>The measured system's clock, where the output gave it.</summary>
    public double? ClockMhz { get; set; }

    /// <summary>Adds a bad record.</summary>
    public void AddBad(string file, long line, string reason) => Bad.Add(new BadRow(line, reason) { File = file });

    /// <summary>Reads a whole input file (a regular file of at most <see cref="Limits.MaxTextBytes"/>; a named pipe or
    /// device is refused before a byte is read) and records it.</summary>
    public byte[] Read(string path, string what, long maxBytes = Limits.MaxTextBytes)
    {
        byte[] bytes = DatasetInput.ReadAllBytes(path, maxBytes, what);
        Files.Add(new ImportedFile(path, Hashing.Sha256Hex(bytes)));
        return bytes;
    }
}

/// <summary>
/// <c>perfsage dataset import --from vela|benchmark-model|mlperf-tiny</c>: reads a tool's output with the reader of its
/// format, finds the model each record names (<see cref="ToolImportRequest.Models"/>, then
/// <see cref="ToolImportRequest.ModelsDirectory"/>, then a path the output gives), and adds the labels to a dataset folder
/// exactly as the measurement CSV import does (<see cref="ImportCommit"/>: the same merge, conflict and all-or-nothing
/// rules; a bad record is named by file and line).
/// </summary>
public static class ToolImporter
{
    /// <summary>Imports <paramref name="request"/> into <paramref name="directory"/>. Bad records are returned; a problem
    /// with a whole input (missing, not a regular file, no header, a required column missing) or with the options throws
    /// <see cref="DatasetException"/> naming it.</summary>
    public static MeasurementImportResult Import(ToolImportRequest request, string directory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(directory);
        if (request.Inputs.Count == 0)
        {
            throw new DatasetException($"--from {ToolFormats.Name(request.Tool)}: give the tool's output with --input FILE|DIR");
        }
        if (request.Target is not null && TargetName.Problem(request.Target) is string problem)
        {
            throw new DatasetException(problem);
        }
        foreach ((string name, string path) in request.Models)
        {
            if (name.Length == 0 || path.Length == 0)
            {
                throw new DatasetException($"--model '{Limits.Echo(name)}={Limits.Echo(path)}': expected NAME=PATH");
            }
        }
        if (request.ModelsDirectory is string modelsDir && !Directory.Exists(modelsDir))
        {
            throw new DatasetException($"{modelsDir}: --models is not a folder");
        }
        ToolReading reading = request.Tool switch
        {
            ToolFormat.Vela => VelaReader.Read(request),
            ToolFormat.BenchmarkModel => BenchmarkModelLogReader.Read(request),
            ToolFormat.MlperfTiny => MlperfTinyReader.Read(request),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Tool, null),
        };

        var bad = new List<BadRow>(reading.Bad);
        var candidates = new List<Candidate>();
        var cache = new Dictionary<string, (LoadedModel?, string?)>(StringComparer.Ordinal);
        foreach (ToolRecord record in reading.Records)
        {
            (string? text, string? full, string? error) = Locate(request, record);
            LoadedModel? model = null;
            if (error is null)
            {
                (model, error) = ImportCommit.Load(text!, full!, cache);
            }
            if (model is not null && record.CheckModel?.Invoke(model) is string failed)
            {
                error = failed;
                model = null;
            }
            if (model is null)
            {
                bad.Add(new BadRow(record.Line, error!) { File = record.File });
                continue;
            }
            candidates.Add(new Candidate(record.Line, model, record.Target, record.Values) { File = record.File });
        }

        string tool = ToolFormats.Name(request.Tool);
        string source = request.Tool switch
        {
            ToolFormat.Vela => "vela",
            ToolFormat.BenchmarkModel => "measured:benchmark-model",
            _ => "measured:mlperf-tiny",
        };
        var list = new StringBuilder();
        foreach (ImportedFile f in reading.Files)
        {
            list.Append(f.Sha256).Append("  ").Append(f.Name).Append('\n');
        }
        string listSha = Hashing.Sha256Hex(Encoding.UTF8.GetBytes(list.ToString()));
        string first = Path.GetFileName(Path.TrimEndingDirectorySeparator(request.Inputs[0]));
        int rows = reading.Records.Count + reading.Bad.Count;
        var settings = new ImportSettings(source, request.SkipBadRows,
            c => $"{tool} {c.File} line {c.Row}: {c.Model.Text}",
            (models, added, updated, badCount) => new ImportInfo(first, listSha, rows, models, added, updated, badCount, request.Target)
            {
                Tool = tool,
                Files = reading.Files,
                ClockMhz = reading.ClockMhz,
            });
        return ImportCommit.Commit(directory, settings, rows, bad, candidates);
    }

    /// <summary>The model file of <paramref name="record"/>: <c>--model NAME=PATH</c> (NAME the model's name, or for a
    /// log the graph path as logged or its file name), then <c>--models DIR</c>/NAME.tflite, then the path the output
    /// names (relative to its file's folder). Returns the text that names it, its full path, or why none was found.</summary>
    private static (string? Text, string? Full, string? Error) Locate(ToolImportRequest request, ToolRecord record)
    {
        string name = record.ModelName;
        string[] keys = record.LoggedPath is string logged ? [name, logged, Path.GetFileName(logged)] : [name];
        foreach (string key in keys)
        {
            if (request.Models.TryGetValue(key, out string? path))
            {
                return Full(path, Directory.GetCurrentDirectory());
            }
        }
        if (request.ModelsDirectory is string dir)
        {
            string candidate = Path.Combine(dir, name + ".tflite");
            if (File.Exists(candidate) || record.LoggedPath is null)
            {
                return Full(candidate, Directory.GetCurrentDirectory());
            }
        }
        if (record.LoggedPath is string loggedPath)
        {
            return Full(loggedPath, Path.GetDirectoryName(Path.GetFullPath(record.File)) ?? ".");
        }
        return (null, null, $"no model for '{Limits.Echo(name)}': give --models DIR holding {Limits.Echo(name)}.tflite, or --model {Limits.Echo(name)}=PATH");
    }

    private static (string?, string?, string?) Full(string path, string baseDir)
    {
        if (ImportCommit.UnusablePath(path) is string why)
        {
            return (null, null, $"model '{Limits.Echo(path)}': {why}");
        }
        return (path, Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path)), null);
    }

    /// <summary>The files of an input: the file itself, or the regular, non-hidden files directly in a folder that
    /// <paramref name="take"/> accepts, in ordinal order of their names. Throws when the input is missing or a folder
    /// holds none.</summary>
    internal static List<string> Expand(string input, Func<string, bool> take, string what)
    {
        if (Directory.Exists(input))
        {
            List<string> files = [.. Directory.EnumerateFiles(input)
                .Where(f => !Path.GetFileName(f).StartsWith('.') && take(Path.GetFileName(f)))
                .Order(StringComparer.Ordinal)];
            return files.Count > 0 ? files : throw new DatasetException($"{input}: holds no {what}");
        }
        DatasetInput.Check(input, Limits.MaxTextBytes, what);
        return [input];
    }

    /// <summary>The lines of a text file (UTF-8; a broken byte becomes U+FFFD), without line ends.</summary>
    internal static string[] Lines(byte[] bytes)
    {
        string[] lines = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines; // the line end of the last line ends no line
    }
}
