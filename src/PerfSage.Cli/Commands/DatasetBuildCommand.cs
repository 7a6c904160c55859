using System.CommandLine;
using PerfSage.Dataset;
using PerfSage.Targets;

namespace PerfSage.Cli.Commands;

/// <summary><c>perfsage dataset build --space S --count N --target T… --out DIR [--seed K] [--jobs J]
/// [--shard i/n] [--weights random|none]</c> (or <c>--all-targets</c>, or <c>--board B…</c>).</summary>
internal static class DatasetBuildCommand
{
    public static Command Create(CliContext context)
    {
        var space = new Option<string>("--space") { Description = "Search space (kws, vww, ic, ad, mobile, nb201, nb201-int8, ops).", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "Models in the whole build (all shards together).", Required = true };
        var targets = new Option<string[]>("--target", "-t")
        {
            Description = "Catalog targets to label for (repeat, or list several).",
            AllowMultipleArgumentsPerToken = true,
        };
        var allTargets = new Option<bool>("--all-targets") { Description = "Label for every target of the catalog." };
        var output = new Option<string>("--out", "-o") { Description = "The dataset folder (created; an unfinished build in it is resumed).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0UL };
        var shard = new Option<string?>("--shard") { Description = "Build only shard i of n (samples with index mod n = i), as i/n." };
        Option<string> weights = DatasetCommand.WeightsOption("random");
        Option<int> jobs = DatasetCommand.JobsOption();
        Option<string[]> boardOption = TargetOptions.BoardOption();
        boardOption.Description = "Board preset to label for (repeat for several; see 'perfsage targets --boards'): labels are the board's estimates, under the board's id. Replaces --target.";

        var command = new Command("build", "Sample models from a search space, write them as .tflite, label them with the reference estimators.")
        {
            space, count, targets, allTargets, boardOption, output, seed, shard, weights, jobs,
        };
        command.SetAction(parse => PerfSageApp.Execute(context, parse, () =>
        {
            string[] named = parse.GetValue(targets) ?? [];
            bool all = parse.GetValue(allTargets);
            if (named.Length > 0 && all)
            {
                throw new UserInputException("give --target or --all-targets, not both");
            }
            string[] boardNames = parse.GetValue(boardOption) ?? [];
            if (boardNames.Length > 0 && (named.Length > 0 || all))
            {
                throw new UserInputException("give either --board or --target/--all-targets, not both (a board names its target)");
            }
            IReadOnlyList<Board> boards = TargetOptions.ResolveBoards(boardNames);
            if (named.Length == 0 && !all && boards.Count == 0)
            {
                throw new UserInputException("no targets: give --target T (one or more) or --all-targets");
            }
            int threads = DatasetCommand.Jobs(parse, jobs);
            string dir = parse.GetValue(output)!;
            OutputPaths.CheckFolder(dir, "--out");
            TargetCatalog catalog = TargetCatalog.LoadDefault();
            // A family name (ethos-u55) labels for its configuration (ethos-u55-256); the labels hold the configuration's id.
            named = RequestedTargets.Resolve(named, catalog, context.Notes).Ids;
            string? shardText = parse.GetValue(shard);
            var request = new BuildRequest(parse.GetValue(space)!, parse.GetValue(count), all ? catalog.Ids : named)
            {
                Seed = parse.GetValue(seed),
                Shard = shardText is null ? null : ShardSet.Parse(shardText),
                Weightless = parse.GetValue(weights) == "none",
                Boards = [.. boards.Select(b => b.Id)],
            };
            BuildInfo info = DatasetBuilder.Describe(request, catalog);
            context.Log.Information("Building {Count} models of {Space} (seed {Seed}{Shard}) for {Targets} into {Dir} with {Jobs} jobs",
                info.Count, info.Space, info.Seed, info.Shards is null ? "" : ", shard " + info.Shards, string.Join(", ", info.Targets), dir, threads);
            BuildResult result = DatasetProgress.Run(context, "build " + info.Space, (progress, cancel) =>
                DatasetBuilder.Build(request, dir, new BuildOptions { Jobs = threads, Progress = progress, Catalog = catalog }, cancel));
            DatasetCommand.WriteSummary(context, "built", result);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
