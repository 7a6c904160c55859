using System.Diagnostics;
using System.Security.Cryptography;
using PerfSage.Graph;
using PerfSage.Graph.Features;
using PerfSage.IO;
using PerfSage.Model;
using PerfSage.Targets;
using PerfSage.Tflite;

namespace PerfSage.Pipeline;

/// <summary>One row of <c>perfsage score</c>: a model on a target, with its prediction, reference estimate and status.</summary>
/// <param name="Model">The model path as shown (<see cref="ScoreInput.Path"/>).</param>
/// <param name="Target">The target.</param>
/// <param name="Sha256">SHA-256 of the file (lower-case hex), or null when it could not be read.</param>
/// <param name="Prediction">The prediction, or null when the model could not be parsed.</param>
/// <param name="Reference">The reference estimate, or null when there is none.</param>
/// <param name="Status"><c>ok</c>, <c>over budget: …</c> or <c>error: …</c>.</param>
/// <param name="Violations">How the prediction breaks each budget it breaks (<see cref="Budget.Violation"/>).</param>
public sealed record ScoreRow(string Model, string Target, string? Sha256, Prediction? Prediction, TargetEstimate? Reference,
    string Status, IReadOnlyList<string> Violations)
{
    /// <summary>The board preset of the row (<c>score --board</c>), or null.</summary>
    public string? Board { get; init; }
}

/// <summary>What <see cref="Scoring.Run"/> gives: one row per input and target, in input order, and the targets.</summary>
/// <param name="Rows">The rows.</param>
/// <param name="Targets">The targets scored (<see cref="ModelTargets.Resolve"/>).</param>
public sealed record ScoreResult(IReadOnlyList<ScoreRow> Rows, IReadOnlyList<string> Targets)
{
    /// <summary>Where the wall time of <see cref="Scoring.Run"/> went (the wait for the model to load is in none of them).</summary>
    public ScoreTimings Timings { get; init; } = new(0, 0, 0, 0);
}

/// <summary>
/// Wall time of the steps of <see cref="Scoring.Run"/>, in milliseconds. Reading, parsing, featurizing and the reference
/// estimates run together, input by input, on several threads: that stage's wall time is split in proportion to the time
/// the threads spent in each step, so the parts add up to the stage.
/// </summary>
/// <param name="ParseMs">Reading the files (with their SHA-256), parsing them and building their graphs.</param>
/// <param name="FeaturizeMs">Featurizing the graphs.</param>
/// <param name="NetworkMs">The network: one trunk pass per model and the heads of the chosen targets, with the checks of
/// each prediction.</param>
/// <param name="EstimateMs">The reference estimates.</param>
public sealed record ScoreTimings(double ParseMs, double FeaturizeMs, double NetworkMs, double EstimateMs);

/// <summary>
/// Scores many models: each input is read (SHA-256), parsed and featurized in parallel, with its reference estimates,
/// while the model loads; then the predictor runs in one batch per target and each prediction is checked against the
/// budgets. An input that cannot be read or parsed becomes an error row; the others are still scored.
/// </summary>
public static class Scoring
{
    /// <summary>Scores <paramref name="files"/> on the targets <paramref name="named"/> (or every target of the model with
    /// <paramref name="all"/>). <paramref name="predictor"/> is called once the inputs are parsed (it may wait for a model
    /// loading meanwhile). Throws <see cref="UserInputException"/> for a target the model lacks or a budget it cannot check.</summary>
    /// <remarks>With <paramref name="boards"/> (<c>score --board</c>) the rows are per input and board: each board's
    /// target is predicted and scaled to the board (<see cref="Predicting.ScaleToBoard"/>), the reference is the board's
    /// estimate, and the budgets apply to the board's numbers; <paramref name="named"/> and <paramref name="all"/> are then
    /// ignored.</remarks>
    public static ScoreResult Run(IReadOnlyList<ScoreInput> files, Func<Predictor> predictor, string modelDir, string[] named, bool all,
        IReadOnlyList<Budget> budgets, int threads, IReadOnlyList<Board>? boards = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(named);
        ArgumentNullException.ThrowIfNull(budgets);
        TargetCatalog catalog = TargetCatalog.LoadDefault();
        boards ??= [];
        if (boards.Count > 0)
        {
            named = [.. boards.Select(b => b.TargetId).Distinct(StringComparer.Ordinal)];
            all = false;
        }
        // With named targets the reference estimates are made while the model loads; all targets need the model first.
        IReadOnlyList<string> referenceTargets = all ? predictor().Targets : named.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var parsed = new ParsedModel[files.Count];
        var stepTicks = new long[files.Count * 3]; // parse, featurize, estimate per input
        long stageStart = Stopwatch.GetTimestamp();
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
            i => parsed[i] = ParseOne(files[i], referenceTargets, catalog, boards, stepTicks.AsSpan(i * 3, 3)));
        double stageMs = Stopwatch.GetElapsedTime(stageStart).TotalMilliseconds;

        Predictor model = predictor();
        foreach (Board board in boards)
        {
            if (!model.HasTarget(board.TargetId))
            {
                throw new UserInputException(
                    $"board '{board.Id}': the model {modelDir} has no heads for its target {board.TargetId} (its targets: {string.Join(", ", model.Targets)}); 'perfsage estimate --board {board.Id}' needs no model");
            }
        }
        IReadOnlyList<string> chosen = ModelTargets.Resolve(model, named, all, modelDir);
        CheckBudgetHeads(model, chosen, budgets, modelDir);

        List<int> ok = Enumerable.Range(0, parsed.Length).Where(i => parsed[i].Features is not null).ToList();
        List<GraphFeatures> features = ok.Select(i => parsed[i].Features!).ToList();
        // One trunk pass per model, then the chosen targets' heads (graphs on the worker threads).
        long networkStart = Stopwatch.GetTimestamp();
        IReadOnlyList<IReadOnlyList<Prediction>> grid = model.PredictManyTargets(features, chosen, threads);
        var predictions = new Dictionary<string, IReadOnlyList<Prediction>>(StringComparer.Ordinal);
        for (int t = 0; t < chosen.Count; t++)
        {
            predictions[chosen[t]] = grid[t];
        }
        double networkMs = Stopwatch.GetElapsedTime(networkStart).TotalMilliseconds;

        // The units scored: one per chosen target, or one per board (with its target).
        List<(string Target, Board? Board)> units = boards.Count > 0
            ? [.. boards.Select(b => (b.TargetId, (Board?)b))]
            : [.. chosen.Select(t => (t, (Board?)null))];
        var rows = new List<ScoreRow>(files.Count * units.Count);
        var slot = new Dictionary<int, int>();
        for (int k = 0; k < ok.Count; k++)
        {
            slot[ok[k]] = k;
        }
        for (int i = 0; i < files.Count; i++)
        {
            foreach ((string target, Board? board) in units)
            {
                ParsedModel p = parsed[i];
                if (p.Error is not null)
                {
                    rows.Add(new ScoreRow(files[i].Path, target, p.Sha256, null, null, "error: " + OneLine(p.Error), []) { Board = board?.Id });
                    continue;
                }
                Prediction prediction = predictions[target][slot[i]];
                TargetEstimate? reference = p.References.GetValueOrDefault(target);
                if (board is not null)
                {
                    TargetEstimate? onBoard = p.BoardReferences.GetValueOrDefault(board.Id);
                    prediction = Predicting.ScaleToBoard(board, prediction, reference, onBoard);
                    reference = onBoard;
                }
                if (prediction.Error is not null)
                {
                    rows.Add(new ScoreRow(files[i].Path, target, p.Sha256, prediction, reference,
                        $"error: {files[i].Path}: {prediction.Error}", []) { Board = board?.Id });
                    continue;
                }
                var broken = new List<string>();
                foreach (Budget b in budgets)
                {
                    if (prediction.Get(b.Metric) is double v && !b.Allows(v))
                    {
                        broken.Add(b.Violation(v));
                    }
                }
                string status = broken.Count == 0 ? "ok" : "over budget: " + string.Join("; ", broken);
                rows.Add(new ScoreRow(files[i].Path, target, p.Sha256, prediction, reference, status, broken) { Board = board?.Id });
            }
        }
        return new ScoreResult(rows, chosen) { Timings = Split(stageMs, stepTicks, networkMs) };
    }

    /// <summary>The parallel stage's wall time split in proportion to the thread time of each step.</summary>
    private static ScoreTimings Split(double stageMs, long[] stepTicks, double networkMs)
    {
        var sums = new double[3];
        for (int i = 0; i < stepTicks.Length; i++)
        {
            sums[i % 3] += stepTicks[i];
        }
        double total = sums.Sum();
        double Part(int step) => total <= 0 ? 0 : stageMs * sums[step] / total;
        return new ScoreTimings(Part(0), Part(1), networkMs, Part(2));
    }

    /// <summary>What parsing one input gave: its features and reference estimates, or why it failed.</summary>
    private sealed record ParsedModel(string? Sha256, GraphFeatures? Features, Dictionary<string, TargetEstimate?> References, string? Error)
    {
        /// <summary>The board estimates by board id (<c>score --board</c>).</summary>
        public Dictionary<string, TargetEstimate?> BoardReferences { get; } = new(StringComparer.Ordinal);
    }

    private static ParsedModel ParseOne(ScoreInput input, IReadOnlyList<string> referenceTargets, TargetCatalog catalog,
        IReadOnlyList<Board> boards, Span<long> ticks)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return ParseSteps(input, referenceTargets, catalog, boards, ticks, ref start);
        }
        finally
        {
            // Whatever the last step was when it returned or failed, its time counts as that step's.
            ticks[0] += Stopwatch.GetTimestamp() - start;
        }
    }

    private static ParsedModel ParseSteps(ScoreInput input, IReadOnlyList<string> referenceTargets, TargetCatalog catalog,
        IReadOnlyList<Board> boards, Span<long> ticks, ref long start)
    {
        var references = new Dictionary<string, TargetEstimate?>(StringComparer.OrdinalIgnoreCase);
        if (input.Error is not null)
        {
            return new ParsedModel(null, null, references, $"{input.Path}: {input.Error}");
        }
        byte[] bytes;
        try
        {
            // A named pipe, a device or a file over the model limit is refused before a byte is read.
            bytes = InputFile.ReadAllBytes(input.Path, Limits.MaxModelBytes, "model");
        }
        catch (PerfSageException e)
        {
            return new ParsedModel(null, null, references, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ParsedModel(null, null, references, $"{input.Path}: cannot read the file ({e.Message})");
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        try
        {
            TfliteModel model = TfliteReader.Parse(bytes, input.Path);
            if (model.Subgraphs.Count == 0)
            {
                return new ParsedModel(sha, null, references, $"{input.Path}: the model has no subgraph, so there is nothing to predict");
            }
            OpGraph graph = OpGraph.FromModel(model);
            long now = Stopwatch.GetTimestamp();
            ticks[0] += now - start;
            GraphFeatures features = Featurizer.Featurize(graph);
            start = Stopwatch.GetTimestamp();
            ticks[1] += start - now;
            foreach (string target in referenceTargets)
            {
                references[target] = ModelTargets.Reference(catalog, target, graph);
            }
            var parsedModel = new ParsedModel(sha, features, references, null);
            foreach (Board board in boards)
            {
                try
                {
                    parsedModel.BoardReferences[board.Id] = BoardEstimator.Estimate(board, graph);
                }
                catch (TargetException)
                {
                    parsedModel.BoardReferences[board.Id] = null;
                }
            }
            now = Stopwatch.GetTimestamp();
            ticks[2] += now - start;
            start = now;
            return parsedModel;
        }
        catch (TfliteFormatException e)
        {
            return new ParsedModel(sha, null, references, e.Message);
        }
        catch (OpGraphException e)
        {
            return new ParsedModel(sha, null, references, $"{input.Path}: {e.Message}");
        }
    }

    /// <summary>A budget on a metric the model does not predict for a chosen target cannot be checked: refuse it.</summary>
    private static void CheckBudgetHeads(Predictor predictor, IReadOnlyList<string> targets, IReadOnlyList<Budget> budgets, string dir)
    {
        foreach (Budget b in budgets)
        {
            foreach (string target in targets)
            {
                if (!predictor.Manifest.Heads.Any(h => h.Target == target && h.Metric == b.MetricName))
                {
                    throw new UserInputException($"--budget {b}: the model {dir} does not predict {b.MetricName} on {target}");
                }
            }
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
