namespace PerfSage.Dataset;

/// <summary>What <c>perfsage dataset import</c> imports.</summary>
/// <param name="CsvPath">The measurement CSV: <c>model,target,latency_ms[,energy_mj][,peak_ram_kb][,flash_kb]</c>,
/// <c>model</c> a path to a <c>.tflite</c> (relative paths are resolved against the CSV's folder).</param>
public sealed record MeasurementImportRequest(string CsvPath)
{
    /// <summary>The target of every row (overrides the <c>target</c> column, or stands in for a missing one).</summary>
    public string? Target { get; init; }

    /// <summary>Import the good rows even when some are bad (the bad ones are still reported). Without it, one
    /// bad row means nothing is written.</summary>
    public bool SkipBadRows { get; init; }
}

/// <summary>A row of a measurement CSV that was not imported.</summary>
/// <param name="Row">Its row number: the line of the CSV it starts on (the header is row 1).</param>
/// <param name="Reason">Why.</param>
public sealed record BadRow(long Row, string Reason)
{
    /// <summary>The file the row is in when an import reads several files (a tool's outputs); null for the
    /// measurement CSV, whose rows are named by number alone.</summary>
    public string? File { get; init; }
}

/// <summary>What an import did.</summary>
/// <param name="Directory">The dataset folder.</param>
/// <param name="Source">The label source given to the rows (<c>measured:&lt;csv name&gt;</c>).</param>
/// <param name="Rows">Data rows in the CSV.</param>
/// <param name="BadRows">The bad rows, by row number.</param>
/// <param name="Written">False when nothing was written: no good row brought anything new, or there were bad
/// rows and <see cref="MeasurementImportRequest.SkipBadRows"/> was not given (then the counts of what was added
/// are 0).</param>
/// <param name="ModelsAdded">Models new to the folder.</param>
/// <param name="LabelsAdded">Label rows new to the folder.</param>
/// <param name="LabelsUpdated">Existing label rows that gained a metric.</param>
/// <param name="LabelsUnchanged">Rows already in the folder with the same values (a re-import).</param>
/// <param name="DuplicateRowsMerged">Rows that repeated an earlier row of the CSV (same model and target, no
/// conflicting value) and were merged into it.</param>
/// <param name="Models">Models in the folder afterwards.</param>
/// <param name="Labels">Label rows in the folder afterwards.</param>
public sealed record MeasurementImportResult(
    string Directory,
    string Source,
    int Rows,
    IReadOnlyList<BadRow> BadRows,
    bool Written,
    int ModelsAdded,
    int LabelsAdded,
    int LabelsUpdated,
    int LabelsUnchanged,
    int DuplicateRowsMerged,
    int Models,
    int Labels);

/// <summary>
/// Turns a user's board measurements into a dataset, or adds them to an existing one. Models are parsed (they
/// must be valid) and copied into <c>graphs/</c> under a stable id (the file name, sanitised, and the first 12
/// hex digits of the file's SHA-256), so the same content is stored once whatever its path.
/// </summary>
/// <remarks>
/// <para>Bad rows: broken quoting (a quoted field ends at its line: no field of a measurement CSV holds a line
/// break), a wrong number of fields, an empty model or target, a model file that is missing, not a regular file
/// (a named pipe, a device), larger than <see cref="Limits.MaxModelBytes"/> or not a valid model, a value that is
/// not a positive number, and the rows of one model and target whose values conflict (within the CSV or with
/// the folder). Rows that repeat each other without conflict are merged. Every row is either imported or
/// returned as bad. All or nothing: when a row is bad, nothing is written unless
/// <see cref="MeasurementImportRequest.SkipBadRows"/> is given, which imports the good rows.</para>
/// <para>The CSV is read whole from a regular file of at most <see cref="Limits.MaxTextBytes"/>; a field quoted
/// in a reason is cut to <see cref="Limits.MaxEchoedChars"/>, and a model file's bytes are never quoted.</para>
/// <para>Nothing already imported is lost: the folder's models and labels are kept, new ones are added, and a
/// label gains metrics it did not have (never loses or changes one). Re-importing the same rows changes
/// nothing. Graphs are written first, then <c>labels.csv</c> and <c>models.csv</c>, then <c>dataset.json</c>,
/// each atomically.</para>
/// </remarks>
public static class MeasurementImporter
{
    private static readonly string[] Required = ["model", "latency_ms"];
    private static readonly string[] Known = ["model", "target", "latency_ms", "energy_mj", "peak_ram_kb", "flash_kb"];
    private static readonly Metric[] Metrics = [Metric.LatencyMs, Metric.EnergyMj, Metric.PeakRamKb, Metric.FlashKb];

    /// <summary>Imports <paramref name="request"/> into <paramref name="directory"/> (created when missing).
    /// Bad rows are returned, not thrown; <see cref="DatasetException"/> is thrown for a problem with the whole
    /// file (missing, no header, unknown or missing columns) or the folder (not a dataset, in use).</summary>
    public static MeasurementImportResult Import(MeasurementImportRequest request, string directory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(directory);
        string csvPath = request.CsvPath;
        if (request.Target is not null && TargetName.Problem(request.Target) is string problem)
        {
            throw new DatasetException(problem);
        }
        byte[] csvBytes = DatasetInput.ReadAllBytes(csvPath, Limits.MaxTextBytes, "measurement CSV");
        (string[] header, List<CsvRow> rows) = CsvFile.Read(csvPath, csvBytes);
        Dictionary<string, int> columns = MapHeader(csvPath, header, request.Target is not null);
        string csvDir = Path.GetDirectoryName(Path.GetFullPath(csvPath)) ?? ".";
        string source = "measured:" + ImportCommit.Sanitize(Path.GetFileNameWithoutExtension(csvPath), "csv");

        var bad = new List<BadRow>();
        var candidates = new List<Candidate>();
        var cache = new Dictionary<string, (LoadedModel?, string?)>(StringComparer.Ordinal);
        foreach (CsvRow row in rows)
        {
            Candidate? c = ParseRow(row, header.Length, columns, request.Target, csvDir, cache, out string? reason);
            if (c is null)
            {
                bad.Add(new BadRow(row.Line, reason!));
            }
            else
            {
                candidates.Add(c);
            }
        }
        string csvName = Path.GetFileName(csvPath);
        string csvSha = Hashing.Sha256Hex(csvBytes);
        var settings = new ImportSettings(source, request.SkipBadRows,
            c => $"{csvName} row {c.Row}: {c.Model.Text}",
            (models, added, updated, badCount) => new ImportInfo(csvName, csvSha, rows.Count, models, added, updated, badCount, request.Target));
        return ImportCommit.Commit(directory, settings, rows.Count, bad, candidates);
    }

    private static Dictionary<string, int> MapHeader(string path, string[] header, bool targetGiven)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
        {
            string name = header[i];
            if (!Known.Contains(name, StringComparer.Ordinal))
            {
                throw new DatasetException(
                    $"{path}: unknown column '{Limits.Echo(name)}' (columns: {string.Join(", ", Known)}; units are part of the names)");
            }
            if (!columns.TryAdd(name, i))
            {
                throw new DatasetException($"{path}: column '{name}' appears twice in the header");
            }
        }
        foreach (string name in Required.Append("target"))
        {
            if (!columns.ContainsKey(name) && !(name == "target" && targetGiven))
            {
                throw new DatasetException(name == "target"
                    ? $"{path}: no 'target' column; add one or give --target"
                    : $"{path}: required column '{name}' is missing (header: {Limits.Echo(string.Join(',', header))})");
            }
        }
        return columns;
    }

    private static Candidate? ParseRow(CsvRow row, int width, Dictionary<string, int> columns, string? targetOverride,
        string csvDir, Dictionary<string, (LoadedModel?, string?)> cache, out string? reason)
    {
        reason = null;
        string[] f = row.Fields;
        if (row.Malformed)
        {
            reason = "malformed CSV quoting (an unclosed or stray quote; a quoted field ends at its line)";
            return null;
        }
        if (f.Length != width)
        {
            reason = $"has {f.Length} fields, the header has {width}";
            return null;
        }
        string modelText = f[columns["model"]];
        if (modelText.Length == 0)
        {
            reason = "model is empty";
            return null;
        }
        string target = targetOverride ?? f[columns["target"]];
        if (target.Length == 0)
        {
            reason = "target is empty (fill the target column or give --target)";
            return null;
        }
        if (TargetName.Problem(target) is string problem)
        {
            reason = problem;
            return null;
        }
        var values = new double?[Metrics.Length];
        for (int m = 0; m < Metrics.Length; m++)
        {
            string name = MetricNames.Name(Metrics[m]);
            if (!columns.TryGetValue(name, out int col) || f[col].Length == 0)
            {
                if (m == 0)
                {
                    reason = "latency_ms is empty";
                    return null;
                }
                continue;
            }
            if (!CsvFile.TryNumber(f[col], out double v))
            {
                reason = $"{name} '{Limits.Echo(f[col])}' is not a number";
                return null;
            }
            if (v <= 0)
            {
                reason = $"{name} {Limits.Echo(f[col])} is not positive";
                return null;
            }
            values[m] = v;
        }
        if (ImportCommit.UnusablePath(modelText) is string why)
        {
            reason = $"model '{Limits.Echo(modelText)}': {why}";
            return null;
        }
        string full = Path.GetFullPath(Path.IsPathRooted(modelText) ? modelText : Path.Combine(csvDir, modelText));
        (LoadedModel? model, string? error) = ImportCommit.Load(modelText, full, cache);
        if (model is null)
        {
            reason = error;
            return null;
        }
        return new Candidate(row.Line, model, target, values);
    }
}
