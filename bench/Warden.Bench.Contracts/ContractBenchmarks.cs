using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Warden.Core.Contracts;
using Warden.Core.Costs;
using Warden.Core.Graphs;
using Warden.Core.Runs;
using Warden.Runtime.Execution;
using Warden.Runtime.Providers;

namespace Warden.Bench.Contracts;

/// <summary>
/// What a node contract costs per step: the same agent step (<see cref="NodeExecutor.ExecuteAsync"/> on the mock
/// provider, no latency: routing, pricing, PII screening, telemetry) without a contract, with the output rules (token
/// limit, citations, forbidden patterns), and with the full contract (input and output JSON Schemas as well). The
/// mock's reply satisfies every rule, so each step takes the success path a production step takes.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ContractBenchmarks
{
    public const string Step = "One agent step (NodeExecutor, mock provider)";
    public const string Check = "The check alone (ContractChecker)";

    public static readonly NodeContract OutputRules = new(
        "cited-research", null, null, 400, new CitationRule(3, @"\[\d+\]"), [@"(?i)api[_-]?key\s*[:=]", "(?i)as an ai language model"]);

    public static readonly NodeContract FullContract = OutputRules with
    {
        InputSchema = """{"type":"object","required":["task"],"properties":{"task":{"type":"string","minLength":5}}}""",
        OutputSchema = """{"type":"string","minLength":40,"pattern":"^Findings on "}""",
    };

    private const string RunInput = """{"task":"Add a token-bucket rate limiter to the public API"}""";

    private NodeExecutor _executor = null!;
    private NodeInvocation _plain = null!;
    private NodeInvocation _outputRules = null!;
    private NodeInvocation _full = null!;
    private CompiledContract _compiledOutputRules = null!;
    private CompiledContract _compiledFull = null!;
    private string _reply = string.Empty;
    private long _replyTokens;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var router = new ProviderRouter(new ProviderRegistry([new MockLlmClient(TimeProvider.System)]), PriceTable.Default, TimeProvider.System);
        _executor = new NodeExecutor(router);
        _plain = new NodeInvocation(
            "run_bench", "demo", "bench", "researcher", 1, 1, AgentRoles.Researcher,
            "Add a token-bucket rate limiter to the public API\nGather the background a developer needs before planning this work.",
            "mock", "mock-1", TimeSpan.FromSeconds(30), MockSettings.None, 7);
        _outputRules = _plain with { Contract = OutputRules };
        _full = _plain with { Contract = FullContract, ContractInput = RunInput };
        _compiledOutputRules = CompiledContract.Compile(OutputRules);
        _compiledFull = CompiledContract.Compile(FullContract);

        // Every variant must take the success path, or the comparison is meaningless.
        foreach (var invocation in new[] { _plain, _outputRules, _full })
        {
            var execution = await _executor.ExecuteAsync(invocation, CancellationToken.None);
            if (execution.Event is not NodeSucceeded succeeded)
            {
                throw new InvalidOperationException($"the bench step did not succeed: {execution.Event}");
            }

            _reply = succeeded.Output;
            _replyTokens = succeeded.Usage.OutputTokens;
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(Step)]
    public Task<NodeExecution> PlainStep() => _executor.ExecuteAsync(_plain, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory(Step)]
    public Task<NodeExecution> StepWithOutputRules() => _executor.ExecuteAsync(_outputRules, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory(Step)]
    public Task<NodeExecution> StepWithFullContract() => _executor.ExecuteAsync(_full, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory(Check)]
    public int CheckOutputRules() => ContractChecker.CheckOutput(_compiledOutputRules, _reply, _replyTokens).Count;

    [Benchmark]
    [BenchmarkCategory(Check)]
    public int CheckFullContract() => ContractChecker.Check(_compiledFull, RunInput, _reply, _replyTokens).Count;
}
