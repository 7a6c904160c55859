using System.Globalization;
using System.Text;
using PerfSage.Graph;
using PerfSage.IO;
using PerfSage.Tflite;

namespace PerfSage.Dataset;

/// <summary>A model file an import read and checked: the text that named it, its bytes and their SHA-256.</summary>
internal sealed record LoadedModel(string Text, byte[] Bytes, string Sha256);

/// <summary>One good row or record of an import: where it came from, its model, its target and its values
/// (<c>latency_ms</c>, <c>energy_mj</c>, <c>peak_ram_kb</c>, <c>flash_kb</c>; null where not given).</summary>
/// <param name="Row">The row number (a CSV) or line (a tool's file) it starts on.</param>
/// <param name="Model">The model it names.</param>
/// <param name="Target">The target.</param>
/// <param name="Values">The four metrics in <see cref="MetricNames.All"/> order; latency always given.</param>
internal sealed record Candidate(long Row, LoadedModel Model, string Target, double?[] Values)
{
    /// <summary>The file it came from when an import reads several (a tool's outputs); null for the measurement CSV,
    /// whose rows are named by number alone.</summary>
    public string? File { get; init; }

    /// <summary>How a message names it: <c>row 3</c>, or <c>FILE line 3</c>.</summary>
    public string Where => File is null ? $"row {Row}" : $"{File} line {Row}";
}

/// <summary>What the shared part of an import needs to know about its source.</summary>
/// <param name="Source">The label source (<c>measured:board</c>, <c>vela</c>, …).</param>
/// <param name="SkipBadRows">Import the good rows when some are bad.</param>
/// <param name="Origin">The <c>models.csv</c> origin of a new model, from the candidate that brought it.</param>
/// <param name="Record">The <c>dataset.json</c> import entry, from (models added, labels added, labels updated, bad rows).</param>
internal sealed record ImportSettings(
    string Source,
    bool SkipBadRows,
    Func<Candidate, string> Origin,
    Func<int, int, int, int, ImportInfo> Record);

/// <summary>
/// The part of every label import that is not about the input's format: reading and checking the models the rows
/// name, merging repeated rows and refusing conflicting ones, and adding the result to a dataset folder under the
/// all-or-nothing rule (docs/DATASETS.md, "import"). <see cref="MeasurementImporter"/> and the tool importers
/// (<see cref="ToolImporter"/>) parse their inputs into <see cref="Candidate"/>s and bad rows and call
/// <see cref="Commit"/>.
/// </summary>
internal static class ImportCommit
{
    private static readonly Metric[] Metrics = [Metric.LatencyMs, Metric.EnergyMj, Metric.PeakRamKb, Metric.FlashKb];

    /// <summary>Longest model path accepted, in UTF-8 bytes (Linux's PATH_MAX).</summary>
    private const int MaxPathBytes = 4096;

    /// <summary>Why <paramref name="text"/> cannot name a file at all, or null.</summary>
    public static string? UnusablePath(string text) =>
        text.Contains('\0', StringComparison.Ordinal) ? "the path holds a NUL character, which no file name can"
        : Encoding.UTF8.GetByteCount(text) >= MaxPathBytes ? $"the path is {text.Length} characters long, longer than a file system takes"
        : null;

    /// <summary>Reads and checks a model, once per full path (<paramref name="cache"/>). The file must be a regular
    /// file (a named pipe would block, a device never end) of at most <see cref="Limits.MaxModelBytes"/>; none of its
    /// bytes is ever quoted in the reason (a row may name any file, such as a key).</summary>
    public static (LoadedModel? Model, string? Error) Load(string text, string full, Dictionary<string, (LoadedModel?, string?)> cache)
    {
        if (!cache.TryGetValue(full, out (LoadedModel?, string?) loaded))
        {
            loaded = Load(text, full);
            cache[full] = loaded;
        }
        return loaded;
    }

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

    /// <summary>Merges <paramref name="candidates"/> (rows of one model and target that agree are merged, every row of
    /// a conflict is bad) and adds them to the folder <paramref name="directory"/> (created when missing, and only
    /// when there is something to write). Bad rows are returned; nothing is written when there are any and
    /// <see cref="ImportSettings.SkipBadRows"/> is not set.</summary>
    public static MeasurementImportResult Commit(string directory, ImportSettings settings, int rowCount, List<BadRow> bad,
        List<Candidate> candidates)
    {
        // Rows of one model (by content) and target: merge the compatible, reject every row of a conflict.
        var groups = new List<(Candidate First, double?[] Values, List<Candidate> Rows)>();
        int duplicates = 0;
        foreach (IGrouping<(string, string), Candidate> g in candidates.GroupBy(c => (c.Model.Sha256, c.Target)))
        {
            Candidate first = g.First();
            double?[] values = first.Values;
            string? conflict = null;
            foreach (Candidate next in g.Skip(1))
            {
                conflict ??= Conflict(values, next.Values, first.Where, next.Where);
                values = Union(values, next.Values);
            }
            List<Candidate> rows = [.. g];
            if (conflict is not null)
            {
                string where = rows.All(c => c.File is null)
                    ? "rows " + string.Join(", ", rows.Select(c => c.Row))
                    : string.Join(", ", rows.Select(c => c.Where));
                foreach (Candidate c in rows)
                {
                    bad.Add(Bad(c, $"conflicting measurements of '{Limits.Echo(first.Model.Text)}' on {first.Target} in {where}: {conflict}"));
                }
                continue;
            }
            duplicates += rows.Count - 1;
            groups.Add((first, values, rows));
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
            return Merge(settings, dir, folderLock, rowCount, bad, groups, duplicates);
        }
        finally
        {
            folderLock?.Dispose();
        }
    }

    private static BadRow Bad(Candidate c, string reason) => new(c.Row, reason) { File = c.File };

    /// <summary>Adds the accepted rows to the folder's models and labels and writes the result (a new folder
    /// is only created when there is something to write).</summary>
    private static MeasurementImportResult Merge(ImportSettings settings, string dir, FolderLock? folderLock,
        int rowCount, List<BadRow> bad, List<(Candidate First, double?[] Values, List<Candidate> Rows)> groups, int duplicates)
    {
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
        foreach ((Candidate first, double?[] values, List<Candidate> groupRows) in groups)
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
                    bad.AddRange(groupRows.Select(r => Bad(r, reason)));
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
                    settings.Origin(first), new Dictionary<string, string>()));
                newGraphs.Add((id, first.Model.Bytes));
            }
            labelIndex[(id, first.Target)] = labels.Count;
            labels.Add(new LabelRow(id, first.Target, values[0]!.Value, values[1], values[2], values[3], settings.Source));
            added++;
        }

        bad.Sort((a, b) => string.CompareOrdinal(a.File, b.File) is int byFile and not 0 ? byFile : a.Row.CompareTo(b.Row));
        if (bad.Count > 0 && !settings.SkipBadRows)
        {
            // All or nothing: the folder stays as it was (a new one is not made).
            return new MeasurementImportResult(dir, settings.Source, rowCount, bad, false, 0, 0, 0, 0, duplicates,
                existing?.Models.Count ?? 0, existing?.Labels.Count ?? 0);
        }
        MeasurementImportResult Result(bool written) => new(dir, settings.Source, rowCount, bad, written, newGraphs.Count, added,
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
        ImportInfo import = settings.Record(newGraphs.Count, added, updated, bad.Count);
        DatasetManifest manifest = Manifests.Create(existing?.Manifest.Builds ?? [],
            [.. existing?.Manifest.Imports ?? [], import], models, labels, split);
        DatasetJson.WriteManifest(dir, manifest);
        return Result(true);
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
            if (System.IO.File.Exists(Path.Combine(dir, DatasetLayout.ManifestFile)))
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
        return System.IO.File.Exists(Path.Combine(dir, DatasetLayout.ManifestFile)) ? DatasetFolder.Load(dir) : null;
    }

    /// <summary>Refuses a folder that is neither empty nor a complete dataset.</summary>
    private static void CheckFolder(string dir)
    {
        if (System.IO.File.Exists(Path.Combine(dir, DatasetLayout.ManifestFile)))
        {
            return;
        }
        if (System.IO.File.Exists(Path.Combine(dir, DatasetLayout.RequestFile)))
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
    public static string Sanitize(string name, string fallback)
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
