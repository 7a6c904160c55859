using System.Globalization;
using System.Text;
using PerfSage.Graph;
using PerfSage.IO;
using PerfSage.Tflite;

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
public sealed record BadRow(long Row, string Reason);

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

    private sealed record LoadedModel(string Text, byte[] Bytes, string Sha256);

    private sealed record Candidate(long Row, LoadedModel Model, string Target, double?[] Values);

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
        string source = "measured:" + Sanitize(Path.GetFileNameWithoutExtension(csvPath), "csv");

        var bad = new List<BadRow>();
        var candidates = new List<Candidate>();
        var cache = new Dictionary<string, (LoadedModel? Model, string? Error)>(StringComparer.Ordinal);
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

        // Rows of one model (by content) and target: merge the compatible, reject every row of a conflict.
        var groups = new List<(Candidate First, double?[] Values, List<long> Rows)>();
        int duplicates = 0;
        foreach (IGrouping<(string, string), Candidate> g in candidates.GroupBy(c => (c.Model.Sha256, c.Target)))
        {
            Candidate first = g.First();
            double?[] values = first.Values;
            string? conflict = null;
            foreach (Candidate next in g.Skip(1))
            {
                conflict ??= Conflict(values, next.Values, $"row {first.Row}", $"row {next.Row}");
                values = Union(values, next.Values);
            }
            List<long> groupRows = [.. g.Select(c => c.Row)];
            if (conflict is not null)
            {
                foreach (long r in groupRows)
                {
                    bad.Add(new BadRow(r, $"conflicting measurements of '{Limits.Echo(first.Model.Text)}' on {first.Target} in rows " +
                        $"{string.Join(", ", groupRows)}: {conflict}"));
                }
                continue;
            }
            duplicates += groupRows.Count - 1;
            groups.Add((first, values, groupRows));
        }

        string dir = Path.GetFullPath(directory);
        bool exists = Directory.Exists(dir);
        if (exists)
        {
            // Before the lock file is made, so a refused folder stays untouched; a folder that another import is
            // writing looks half made, so say that instead.
            try
            {
                CheckFolder(dir);
            }
            catch (DatasetException)
            {
                FolderLock.ThrowIfHeld(dir);
                throw;
            }
        }
        FolderLock? folderLock = exists ? FolderLock.Acquire(dir) : null;
        try
        {
            return Merge(request, dir, folderLock, rows.Count, csvBytes, source, bad, groups, duplicates);
        }
        finally
        {
            folderLock?.Dispose();
        }
    }

    /// <summary>Adds the accepted rows to the folder's models and labels and writes the result (a new folder
    /// is only created when there is something to write).</summary>
    private static MeasurementImportResult Merge(MeasurementImportRequest request, string dir, FolderLock? folderLock,
        int rowCount, byte[] csvBytes, string source, List<BadRow> bad,
        List<(Candidate First, double?[] Values, List<long> Rows)> groups, int duplicates)
    {
        string csvPath = request.CsvPath;
        DatasetFolder? existing = folderLock is null ? null : OpenExisting(dir);
        var models = existing is null ? new List<ModelInfo>() : [.. existing.Models.Select(m => m.Info)];
        var labels = existing is null ? new List<LabelRow>() : [.. existing.Labels];
        var idBySha = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ModelInfo m in models)
        {
            idBySha.TryAdd(m.GraphSha256, m.ModelId);
        }
        var labelIndex = new Dictionary<(string, string), int>();
        for (int i = 0; i < labels.Count; i++)
        {
            labelIndex[(labels[i].ModelId, labels[i].Target)] = i;
        }

        var newGraphs = new List<(string Id, byte[] Bytes)>();
        int added = 0, updated = 0, unchanged = 0;
        foreach ((Candidate first, double?[] values, List<long> groupRows) in groups)
        {
            string id = idBySha.TryGetValue(first.Model.Sha256, out string? known) ? known : NewId(first.Model);
            if (labelIndex.TryGetValue((id, first.Target), out int at))
            {
                LabelRow old = labels[at];
                string? reason = old.Source == LabelRow.EstimateSource
                    ? $"{first.Target} already has estimated labels in {dir}; give measurements their own target name (--target)"
                    : Conflict(ValuesOf(old), values, "the folder", "this row") is string c
                        ? $"conflicts with the label of '{Limits.Echo(first.Model.Text)}' on {first.Target} already in {dir}: {c}"
                        : null;
                if (reason is not null)
                {
                    bad.AddRange(groupRows.Select(r => new BadRow(r, reason)));
                    continue;
                }
                double?[] union = Union(ValuesOf(old), values);
                if (union.SequenceEqual(ValuesOf(old)))
                {
                    unchanged++;
                }
                else
                {
                    labels[at] = old with { EnergyMj = union[1], PeakRamKb = union[2], FlashKb = union[3] };
                    updated++;
                }
                continue;
            }
            if (!idBySha.ContainsKey(first.Model.Sha256))
            {
                idBySha[first.Model.Sha256] = id;
                models.Add(new ModelInfo(id, "", "", first.Model.Bytes.Length, first.Model.Sha256,
                    $"{Path.GetFileName(csvPath)} row {first.Row}: {first.Model.Text}", new Dictionary<string, string>()));
                newGraphs.Add((id, first.Model.Bytes));
            }
            labelIndex[(id, first.Target)] = labels.Count;
            labels.Add(new LabelRow(id, first.Target, values[0]!.Value, values[1], values[2], values[3], source));
            added++;
        }

        bad.Sort((a, b) => a.Row.CompareTo(b.Row));
        if (bad.Count > 0 && !request.SkipBadRows)
        {
            // All or nothing: the folder stays as it was (a new one is not made).
            return new MeasurementImportResult(dir, source, rowCount, bad, false, 0, 0, 0, 0, duplicates,
                existing?.Models.Count ?? 0, existing?.Labels.Count ?? 0);
        }
        MeasurementImportResult Result(bool written) => new(dir, source, rowCount, bad, written, newGraphs.Count, added,
            updated, unchanged, duplicates, models.Count, labels.Count);
        bool consistent = existing is not null && existing.Manifest.Counts.Models == models.Count
                          && existing.Manifest.Counts.Labels == labels.Count;
        if (added == 0 && updated == 0 && newGraphs.Count == 0 && consistent)
        {
            return Result(false);
        }

        using FolderLock? created = folderLock is null ? CreateFolder(dir) : null;
        Directory.CreateDirectory(Path.Combine(dir, DatasetLayout.GraphsFolder));
        foreach ((string id, byte[] bytes) in newGraphs)
        {
            AtomicFile.Write(DatasetLayout.GraphPath(dir, id), bytes, durable: true);
        }
        AtomicFile.Write(Path.Combine(dir, DatasetLayout.LabelsFile), LabelsCsv.Write(labels), durable: true);
        AtomicFile.Write(Path.Combine(dir, DatasetLayout.ModelsFile), ModelsCsv.Write(models), durable: true);
        SplitInfo? split = existing?.Manifest.Split is SplitInfo s
            ? DatasetSplitter.Write(dir, models, SplitSettings.From(s))
            : null;
        var import = new ImportInfo(Path.GetFileName(csvPath), Hashing.Sha256Hex(csvBytes), rowCount, newGraphs.Count,
            added, updated, bad.Count, request.Target);
        DatasetManifest manifest = Manifests.Create(existing?.Manifest.Builds ?? [],
            [.. existing?.Manifest.Imports ?? [], import], models, labels, split);
        DatasetJson.WriteManifest(dir, manifest);
        return Result(true);
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
        if (UnusablePath(modelText) is string why)
        {
            reason = $"model '{Limits.Echo(modelText)}': {why}";
            return null;
        }
        string full = Path.GetFullPath(Path.IsPathRooted(modelText) ? modelText : Path.Combine(csvDir, modelText));
        if (!cache.TryGetValue(full, out (LoadedModel? Model, string? Error) loaded))
        {
            loaded = Load(modelText, full);
            cache[full] = loaded;
        }
        if (loaded.Model is null)
        {
            reason = loaded.Error;
            return null;
        }
        return new Candidate(row.Line, loaded.Model, target, values);
    }

    /// <summary>Longest model path accepted, in UTF-8 bytes (Linux's PATH_MAX).</summary>
    private const int MaxPathBytes = 4096;

    /// <summary>Why <paramref name="text"/> cannot name a file at all, or null.</summary>
    private static string? UnusablePath(string text) =>
        text.Contains('\0', StringComparison.Ordinal) ? "the path holds a NUL character, which no file name can"
        : Encoding.UTF8.GetByteCount(text) >= MaxPathBytes ? $"the path is {text.Length} characters long, longer than a file system takes"
        : null;

    /// <summary>Reads and checks the model of a row. The file must be a regular file (a named pipe would block, a
    /// device never end) of at most <see cref="Limits.MaxModelBytes"/>; none of its bytes is ever quoted in the
    /// reason (a row may name any file, such as a key).</summary>
    private static (LoadedModel?, string?) Load(string text, string full)
    {
        string quoted = Limits.Echo(text);
        if (Encoding.UTF8.GetByteCount(full) >= MaxPathBytes)
        {
            return (null, $"model '{quoted}': the full path is longer than a file system takes");
        }
        byte[] bytes;
        try
        {
            bytes = InputFile.ReadAllBytes(full, Limits.MaxModelBytes, "model");
        }
        catch (PerfSageException e)
        {
            return (null, $"model '{quoted}': {e.Message}");
        }
        try
        {
            TfliteModel model = TfliteReader.Parse(bytes, full);
            if (model.Subgraphs.Count == 0)
            {
                return (null, $"model '{quoted}' has no subgraph");
            }
            OpGraph.FromModel(model);
        }
        catch (TfliteFormatException e)
        {
            return (null, $"model '{quoted}' is not a valid .tflite file: {e.Message}");
        }
        catch (OpGraphException e)
        {
            return (null, $"model '{quoted}' cannot be read as a graph: {e.Message}");
        }
        return (new LoadedModel(text, bytes, Hashing.Sha256Hex(bytes)), null);
    }

    private static FolderLock CreateFolder(string dir)
    {
        Directory.CreateDirectory(dir);
        FolderLock folderLock = FolderLock.Acquire(dir);
        try
        {
            // Another import may have made the folder meanwhile; its rows were not merged with these, so writing now
            // would drop them.
            CheckFolder(dir);
            if (File.Exists(Path.Combine(dir, DatasetLayout.ManifestFile)))
            {
                throw new DatasetException(
                    $"{dir}: another PerfSage process (a dataset build or import) made this dataset folder while this import ran; "
                    + "run this import again to add to it");
            }
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
        return folderLock;
    }

    private static DatasetFolder? OpenExisting(string dir)
    {
        CheckFolder(dir);
        return File.Exists(Path.Combine(dir, DatasetLayout.ManifestFile)) ? DatasetFolder.Load(dir) : null;
    }

    /// <summary>Refuses a folder that is neither empty nor a complete dataset.</summary>
    private static void CheckFolder(string dir)
    {
        if (File.Exists(Path.Combine(dir, DatasetLayout.ManifestFile)))
        {
            return;
        }
        if (File.Exists(Path.Combine(dir, DatasetLayout.RequestFile)))
        {
            throw new DatasetException($"{dir} holds an unfinished build; finish it (re-run it) before importing into it");
        }
        string? other = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)
            .FirstOrDefault(n => n is not null && n != DatasetLayout.LockFile && !AtomicFile.IsTemporary(n));
        if (other is not null)
        {
            throw new DatasetException($"{dir} is not empty and is not a dataset folder (it holds {other})");
        }
    }

    private static double?[] ValuesOf(LabelRow label) => [label.LatencyMs, label.EnergyMj, label.PeakRamKb, label.FlashKb];

    /// <summary>Null when no metric has two different values; else the first difference, for a message.</summary>
    private static string? Conflict(double?[] a, double?[] b, string whereA, string whereB)
    {
        for (int m = 0; m < a.Length; m++)
        {
            if (a[m] is double x && b[m] is double y && x != y)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"{MetricNames.Name(Metrics[m])} {x} ({whereA}) vs {y} ({whereB})");
            }
        }
        return null;
    }

    private static double?[] Union(double?[] a, double?[] b) => [.. a.Zip(b, (x, y) => x ?? y)];

    private static string NewId(LoadedModel model) =>
        Sanitize(Path.GetFileNameWithoutExtension(model.Text), "model") + "-" + model.Sha256[..12];

    /// <summary>Lower case, [a-z0-9_-] only (others become '_'), at most 40 characters.</summary>
    private static string Sanitize(string name, string fallback)
    {
        var sb = new StringBuilder(Math.Min(name.Length, 40));
        foreach (char ch in name.ToLowerInvariant())
        {
            if (sb.Length == 40)
            {
                break;
            }
            sb.Append(ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' ? ch : '_');
        }
        string s = sb.ToString().Trim('_', '-');
        return s.Length == 0 ? fallback : s;
    }
}
