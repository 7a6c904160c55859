using PerfSage.Graph;
using PerfSage.Dataset.Spaces;
using PerfSage.Targets;

namespace PerfSage.Dataset;

/// <summary>
/// Builds dataset folders from search spaces (<see cref="Build"/>) and joins the shards of a build
/// (<see cref="Merge"/>). Both are resumable: killed at any moment and run again with the same arguments, they
/// continue and end with exactly the folder an uninterrupted run makes (see <see cref="Journal"/>).
/// </summary>
public static class DatasetBuilder
{
    /// <summary>Builds (or resumes, or checks) <paramref name="request"/> into <paramref name="directory"/>.
    /// Throws <see cref="DatasetException"/> for an unknown space or target, or a folder that holds something
    /// else; <see cref="OperationCanceledException"/> when cancelled (the finished models stay).</summary>
    public static BuildResult Build(BuildRequest request, string directory, BuildOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new BuildOptions();
        (BuildInfo info, ISearchSpace space, IReadOnlyList<IEstimator> estimators) = Resolve(request, options.Catalog);
        var job = new SpaceBuildJob(space, estimators, info);
        return Journal.Run(directory, job, options.Jobs, options.Progress, cancellationToken);
    }

    /// <summary>The canonical arguments of <paramref name="request"/> (what <c>request.json</c> holds).</summary>
    public static BuildInfo Describe(BuildRequest request, TargetCatalog? catalog = null) => Resolve(request, catalog).Info;

    /// <summary>Joins shard folders of one build into <paramref name="directory"/>. The shards must be complete,
    /// of the same build (space, seed, count, targets, catalog, version) and disjoint; the result holds exactly
    /// their union (with all shards, the same folder as an unsharded build).</summary>
    public static BuildResult Merge(string directory, IReadOnlyList<string> shardDirectories, BuildOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(shardDirectories);
        options ??= new BuildOptions();
        MergeJob job = MergeJob.Create(shardDirectories);
        return Journal.Run(directory, job, options.Jobs, options.Progress, cancellationToken);
    }

    private static (BuildInfo Info, ISearchSpace Space, IReadOnlyList<IEstimator> Estimators) Resolve(
        BuildRequest request, TargetCatalog? catalog)
    {
        if (request.Count < 1)
        {
            throw new DatasetException($"count {request.Count}: a build needs at least 1 model");
        }
        ArgumentNullException.ThrowIfNull(request.Targets);
        ArgumentNullException.ThrowIfNull(request.Boards);
        if (request.Targets.Count == 0 && request.Boards.Count == 0)
        {
            throw new DatasetException("no targets: name at least one target to label the models for");
        }
        try
        {
            ISearchSpace space = SearchSpaces.Get(request.Space);
            if (request.Boards.Count > 0)
            {
                return ResolveBoards(request, space, catalog);
            }
            catalog ??= TargetCatalog.LoadDefault();
            TargetSpec[] specs = [.. request.Targets.Select(catalog.Get).DistinctBy(s => s.Id).OrderBy(s => s.Id, StringComparer.Ordinal)];
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (TargetSpec spec in specs)
            {
                files[spec.Id] = GraphHash.Sha256File(spec.FilePath);
            }
            var info = new BuildInfo
            {
                Kind = "space",
                Space = space.Name,
                Seed = request.Seed,
                Count = request.Count,
                Shards = request.Shard,
                Targets = [.. specs.Select(s => s.Id)],
                LabelSource = LabelRow.EstimateSource,
                TargetFiles = files,
                Weights = request.Weightless ? BuildInfo.NoWeights : null,
            };
            return (info, space, [.. specs.Select(Estimator.For)]);
        }
        catch (SearchSpaceException e)
        {
            throw new DatasetException(e.Message, e);
        }
        catch (TargetException e)
        {
            throw new DatasetException(e.Message, e);
        }
    }

    /// <summary>A build labelled for board presets: one label per board, named by the board id; the manifest records
    /// the SHA-256 of each board file and of its target's catalog file.</summary>
    private static (BuildInfo Info, ISearchSpace Space, IReadOnlyList<IEstimator> Estimators) ResolveBoards(
        BuildRequest request, ISearchSpace space, TargetCatalog? catalog)
    {
        BoardCatalog boards = catalog is null ? BoardCatalog.LoadDefault() : BoardCatalog.Load(BoardCatalog.DefaultDirectory, catalog);
        Board[] chosen = [.. request.Boards.Select(boards.Get).DistinctBy(b => b.Id).OrderBy(b => b.Id, StringComparer.Ordinal)];
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (Board board in chosen)
        {
            files[board.Id] = GraphHash.Sha256File(board.FilePath);
            files[board.TargetId] = GraphHash.Sha256File(board.Target.FilePath);
        }
        var info = new BuildInfo
        {
            Kind = "space",
            Space = space.Name,
            Seed = request.Seed,
            Count = request.Count,
            Shards = request.Shard,
            Targets = [.. chosen.Select(b => b.Id)],
            LabelSource = LabelRow.EstimateSource,
            TargetFiles = files,
        };
        return (info, space, [.. chosen.Select(b => (IEstimator)new BoardLabeller(b))]);
    }

    /// <summary>Labels a model for a board: the board's estimate, reported under the board's id.</summary>
    private sealed class BoardLabeller(Board board) : IEstimator
    {
        public TargetSpec Target => board.Target;

        public TargetEstimate Estimate(OpGraph graph, EstimateOptions? options = null) =>
            BoardEstimator.Estimate(board, graph, options) with { TargetId = board.Id };
    }
}
