using System.Collections.Concurrent;
using System.Diagnostics;

namespace PerfSage.Dataset;

/// <summary>
/// Runs a <see cref="BuildJob"/> into a dataset folder so that it survives being killed at any moment.
/// </summary>
/// <remarks>
/// <para>Order of writes: <c>request.json</c> (the arguments) first; then per model its graph and then its
/// journal record (<c>records/&lt;id&gt;.json</c>, with the graph's size and SHA-256), each through a temporary
/// file and a rename; at the end <c>labels.csv</c> and <c>models.csv</c> compacted from the records in the
/// items' order, and <c>dataset.json</c> last. Every step is idempotent.</para>
/// <para>On a re-run the arguments must match <c>request.json</c>; temporaries are removed; a model counts as
/// done only when its record reads back and its graph has the recorded size and hash; the others are built
/// again. Models are independent, so they are built in parallel in any order (no ordered commit is needed:
/// the compaction restores the order).</para>
/// </remarks>
internal static class Journal
{
    public static BuildResult Run(string directory, BuildJob job, int jobs, IProgress<BuildProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jobs, 1);
        var clock = Stopwatch.StartNew();
        job.Validate(directory);
        if (Directory.Exists(directory))
        {
            // Before the lock file is made, so a refused folder stays untouched; a folder that another build or import
            // is writing may look half made, so say that instead.
            try
            {
                CheckOwnership(directory, job.Info);
            }
            catch (DatasetException)
            {
                FolderLock.ThrowIfHeld(directory);
                throw;
            }
        }
        Directory.CreateDirectory(directory);
        using FolderLock folderLock = FolderLock.Acquire(directory);
        SplitInfo? split = CheckOwnership(directory, job.Info);

        string requestPath = Path.Combine(directory, DatasetLayout.RequestFile);
        if (!File.Exists(requestPath))
        {
            AtomicFile.Write(requestPath, DatasetJson.Serialize(job.Info), durable: true);
        }
        string graphs = Path.Combine(directory, DatasetLayout.GraphsFolder);
        string records = Path.Combine(directory, DatasetLayout.RecordsFolder);
        Directory.CreateDirectory(graphs);
        Directory.CreateDirectory(records);
        AtomicFile.RemoveTemporaries(directory);
        AtomicFile.RemoveTemporaries(graphs);
        AtomicFile.RemoveTemporaries(records);

        IReadOnlyList<JobItem> items = job.Items;
        var done = new ModelRecord?[items.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken };
        Parallel.For(0, items.Count, options, i =>
            done[i] = ModelRecord.TryLoadComplete(directory, items[i].ModelId, items[i].Order) is ModelRecord r && job.Accepts(r) ? r : null);
        int resumed = done.Count(r => r is not null);
        int finished = resumed;
        progress?.Report(new BuildProgress(finished, items.Count, resumed));

        int[] pending = [.. Enumerable.Range(0, items.Count).Where(i => done[i] is null)];
        try
        {
            Parallel.ForEach(Partitioner.Create(pending, EnumerablePartitionerOptions.NoBuffering), options, i =>
            {
                ProducedModel model = job.Produce(items[i]);
                ModelRecord record = model.Record;
                AtomicFile.Write(DatasetLayout.GraphPath(directory, record.ModelId), model.Graph.Span, durable: false);
                AtomicFile.Write(DatasetLayout.RecordPath(directory, record.ModelId), record.ToJson(), durable: false);
                done[i] = record;
                progress?.Report(new BuildProgress(Interlocked.Increment(ref finished), items.Count, resumed));
            });
        }
        catch (AggregateException e)
        {
            Exception first = e.Flatten().InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }

        ModelRecord[] complete = [.. done.Select(r => r!)];
        List<LabelRow> labels = [.. complete.SelectMany(r => r.Labels)];
        AtomicFile.Write(Path.Combine(directory, DatasetLayout.LabelsFile), LabelsCsv.Write(labels), durable: true);
        AtomicFile.Write(Path.Combine(directory, DatasetLayout.ModelsFile), ModelsCsv.Write(complete.Select(r => r.ToInfo())), durable: true);
        DatasetManifest manifest = Manifests.Create([job.Info], [], complete.Select(r => r.ToInfo()).ToList(), labels, split);
        DatasetJson.WriteManifest(directory, manifest);
        return new BuildResult(directory, complete.Length, resumed, complete.Length - resumed, labels.Count, clock.Elapsed);
    }

    /// <summary>Refuses a folder that holds something else than this build (or an unfinished part of it).
    /// Returns the split of a finished build, which a re-run keeps.</summary>
    private static SplitInfo? CheckOwnership(string directory, BuildInfo info)
    {
        string requestPath = Path.Combine(directory, DatasetLayout.RequestFile);
        string manifestPath = Path.Combine(directory, DatasetLayout.ManifestFile);
        if (File.Exists(requestPath))
        {
            BuildInfo? existing = ReadRequest(requestPath);
            IReadOnlyList<string> diffs = BuildInfo.Differences(existing, info);
            if (diffs.Count > 0)
            {
                throw new DatasetException(
                    $"{directory} holds another build ({string.Join("; ", diffs)}, folder vs now); re-run with the " +
                    "folder's arguments to resume or check it, or build into another folder");
            }
            if (File.Exists(manifestPath))
            {
                DatasetManifest manifest = DatasetJson.ReadManifest(directory);
                if (manifest.Imports.Count > 0)
                {
                    throw new DatasetException(
                        $"{directory}: measurements were imported into this folder after its build; a re-run of the " +
                        "build would drop them, so it is refused");
                }
                return manifest.Split;
            }
            return null;
        }
        if (File.Exists(manifestPath))
        {
            throw new DatasetException(
                $"{directory} holds a dataset that was not made by this command (imported measurements or a merge); build into another folder");
        }
        string[] other = [.. Directory.EnumerateFileSystemEntries(directory)
            .Select(Path.GetFileName)
            .Where(n => n is not null && n != DatasetLayout.LockFile && !AtomicFile.IsTemporary(n))
            .Select(n => n!)];
        if (other.Length > 0)
        {
            throw new DatasetException(
                $"{directory} is not empty and is not a PerfSage build folder (it holds {string.Join(", ", other.Take(3))}" +
                (other.Length > 3 ? ", …" : "") + "); build into a new or empty folder");
        }
        return null;
    }

    private static BuildInfo ReadRequest(string path)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(path), DatasetJson.Info<BuildInfo>())
                ?? throw new DatasetException($"{path}: empty build request");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new DatasetException($"{path}: invalid build request ({e.Message})", e);
        }
    }
}

/// <summary>Derives the summary fields of <c>dataset.json</c> from what the folder holds.</summary>
internal static class Manifests
{
    public static DatasetManifest Create(IReadOnlyList<BuildInfo> builds, IReadOnlyList<ImportInfo> imports,
        IReadOnlyList<ModelInfo> models, IReadOnlyList<LabelRow> labels, SplitInfo? split)
    {
        return new DatasetManifest
        {
            Spaces = [.. builds.Select(SpaceOf).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Seeds = [.. builds.Where(b => b.Seed.HasValue).Select(b => b.Seed!.Value).Distinct().Order()],
            Targets = [.. labels.Select(l => l.Target).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            LabelSources = [.. labels.Select(l => l.Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Counts = new DatasetCounts
            {
                Models = models.Count,
                Labels = labels.Count,
                LabelsPerTarget = CountBy(labels.Select(l => l.Target)),
                ModelsPerFamily = CountBy(models.Select(m => m.Family)),
            },
            Builds = builds,
            Imports = imports,
            Split = split,
        };
    }

    private static string? SpaceOf(BuildInfo b) => b.Kind switch
    {
        "space" => b.Space,
        "nb201" => (b.Dtype == "int8" ? "nb201-int8" : "nb201") + (b.Network is null ? "" : "-" + b.Network),
        _ => null,
    };

    private static SortedDictionary<string, int> CountBy(IEnumerable<string> keys)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string key in keys)
        {
            counts[key] = counts.TryGetValue(key, out int n) ? n + 1 : 1;
        }
        return counts;
    }
}
