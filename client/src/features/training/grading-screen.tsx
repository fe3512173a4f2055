import type { Route } from '../../app/router.ts';
import { GradingPage } from './grading-page.tsx';
import { PanelPage, PortfolioPage } from './panel-page.tsx';
import { SpecificationPage } from './specification-page.tsx';

/** The people-graded certification parts: a specification exercise, a comprehensive review (or its portfolio form), the grading queue. */
export function GradingScreen({ route }: { route: Extract<Route, { name: 'specification' | 'panel' | 'grading' }> }) {
  switch (route.name) {
    case 'specification':
      return <SpecificationPage key={route.id} id={route.id} />;
    case 'panel':
      return route.id === 'new' ? <PortfolioPage /> : <PanelPage key={route.id} id={route.id} />;
    case 'grading':
      return <GradingPage />;
  }
}
