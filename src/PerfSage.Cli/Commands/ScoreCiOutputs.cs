using System.CommandLine;
using PerfSage.IO;
using PerfSage.Pipeline;

namespace PerfSage.Cli.Commands;

/// <summary>
/// The CI outputs of <c>perfsage score</c>, beside its CSV: <c>--junit FILE</c> (a JUnit XML report), and when run by
/// GitHub Actions, error annotations and a Markdown job summary (<see cref="ScoreReports"/> builds all three). The
/// paths are checked before any model is scored, like <c>--out</c>.
/// </summary>
internal sealed class ScoreCiOutputs
{
    private readonly CliContext _context;
    private readonly string? _junit;
    private readonly string? _summary;
    private readonly List<string> _junitOthers;
    private readonly List<string> _others;

    private ScoreCiOutputs(CliContext context, string? junit, string? summary, List<string> junitOthers, List<string> others)
    {
        _context = context;
        _junit = junit;
        _summary = summary;
        _junitOthers = junitOthers;
        _others = others;
    }

    /// <summary>The <c>--junit FILE</c> option.</summary>
    public static Option<string?> JUnitOption() => new("--junit")
    {
        Description = "Also write a JUnit XML report: one test case per model and target, a failure per budget broken, an error per input that could not be scored.",
    };

    /// <summary>Checks the outputs before the work: <c>--junit</c> as an output file that is none of the inputs and not
    /// <c>--out</c>; <c>$GITHUB_STEP_SUMMARY</c>, when set, as a file to append to that is none of those.</summary>
    public static ScoreCiOutputs Check(CliContext context, string? junit, string outPath, IReadOnlyList<string> inputs)
    {
        // --junit may be neither an input nor the CSV (also through a link: the CSV is then among the files checked).
        List<string> junitOthers = [.. inputs];
        if (outPath != "-")
        {
            junitOthers.Add(outPath);
        }
        if (junit is not null)
        {
            if (junit == "-")
            {
                throw new UserInputException("--junit -: the report is written to a file; name one (the CSV may go to stdout)");
            }
            if (outPath != "-" && string.Equals(Path.GetFullPath(junit), Path.GetFullPath(outPath), StringComparison.Ordinal))
            {
                throw new UserInputException($"--junit {junit}: must name a file other than --out's ({outPath})");
            }
            OutputPaths.CheckFile(junit, junitOthers, "--junit");
        }
        List<string> others = [.. junitOthers];
        if (junit is not null)
        {
            others.Add(junit);
        }
        string? summary = ScoreReports.StepSummaryPath(context.Environment);
        if (summary is not null)
        {
            ScoreReports.CheckStepSummary(summary, others);
        }
        return new ScoreCiOutputs(context, junit, summary, junitOthers, others);
    }

    /// <summary>Writes the JUnit report (atomically, through <see cref="OutputFile"/>) when asked for.</summary>
    public void WriteFiles(ScoreResult scored)
    {
        if (_junit is not null)
        {
            OutputFile.Write(_junit, stream => ScoreReports.WriteJUnit(stream, scored.Rows, scored.Targets), _junitOthers, "--junit");
        }
    }

    /// <summary>The annotations (on the stream that holds no CSV) and the step summary, when GitHub Actions asks.</summary>
    public void PublishToGitHub(ScoreResult scored, IReadOnlyList<Budget> budgets, bool csvOnStdout)
    {
        ScoreReports.PublishToGitHub(scored.Rows, scored.Targets, budgets,
            name => name == ScoreReports.StepSummaryVariable ? _summary : _context.Environment(name),
            csvOnStdout ? _context.Stderr : _context.Stdout, _others);
    }
}
