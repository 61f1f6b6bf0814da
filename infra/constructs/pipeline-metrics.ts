/**
 * The pipeline's custom metrics as CloudWatch metric objects, for the alarms and the dashboard: the
 * stage's namespace, the Powertools `service` dimension, and sums over a dimension's known values
 * (CloudWatch cannot alarm on a SEARCH).
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { StageConfig } from '../config/types.ts';
import { API_OPERATIONS, METRIC, METRIC_DIMENSION } from './metrics-contract.ts';

/** Builds the metrics of one pipeline's namespace and service. */
export class PipelineMetrics {
  constructor(
    private readonly observability: StageConfig['observability'],
    /** The region dashboards SEARCH in. */
    private readonly region: string,
  ) {}

  /** One custom metric with the service dimension (and any others). */
  custom(metricName: string, statistic: string, period: Duration, extra: Record<string, string> = {}): Metric {
    return new Metric({
      namespace: this.observability.metricsNamespace,
      metricName,
      dimensionsMap: { service: this.observability.serviceName, ...extra },
      statistic,
      period,
    });
  }

  /** One metric summed over the known values of one dimension (CloudWatch cannot alarm on a SEARCH). */
  sumOver(
    metricName: string,
    dimension: string,
    values: readonly string[],
    period: Duration,
    label: string,
  ): MathExpression {
    const usingMetrics: Record<string, IMetric> = {};
    values.forEach((value, i) => {
      usingMetrics[`m${i}`] = this.custom(metricName, Stats.SUM, period, { [dimension]: value });
    });
    return new MathExpression({
      expression: Object.keys(usingMetrics)
        .map((id) => `FILL(${id}, 0)`)
        .join(' + '),
      usingMetrics,
      label,
      period,
    });
  }

  /** Library API requests of every operation (the compiler keeps the list complete). */
  apiRequestsTotal(period: Duration): MathExpression {
    return this.sumOver(
      METRIC.ApiRequests,
      METRIC_DIMENSION.operation,
      API_OPERATIONS,
      period,
      'API requests (all operations)',
    );
  }

  /** A graph line per value of a dimension, whatever the values (dashboards may SEARCH). */
  searchBy(metricName: string, dimension: string, label: string): MathExpression {
    const { metricsNamespace, serviceName } = this.observability;
    return new MathExpression({
      expression: `SEARCH('{${metricsNamespace},${dimension},service} MetricName="${metricName}" service="${serviceName}"', 'Sum', 300)`,
      label,
      period: Duration.minutes(5),
      searchRegion: this.region,
    });
  }
}
